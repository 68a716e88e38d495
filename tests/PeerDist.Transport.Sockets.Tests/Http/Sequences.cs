using System.Buffers;

namespace PeerDist.Transport.Tests.Http;

/// <summary>Builds multi-segment sequences: split at one offset, or one byte per segment.</summary>
internal static class Sequences
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] offsets)
    {
        var pieces = new List<byte[]>();
        int start = 0;
        foreach (int offset in offsets)
        {
            pieces.Add(bytes[start..offset]);
            start = offset;
        }

        pieces.Add(bytes[start..]);
        return Create(pieces);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) =>
        bytes.Length == 0 ? ReadOnlySequence<byte>.Empty : Create(bytes.Select(b => new[] { b }).ToList());

    public static IEnumerable<ReadOnlySequence<byte>> All(byte[] bytes)
    {
        yield return new ReadOnlySequence<byte>(bytes);
        yield return OneBytePerSegment(bytes);
        for (int i = 1; i < bytes.Length; i++)
        {
            yield return Split(bytes, i);
        }
    }

    private static ReadOnlySequence<byte> Create(List<byte[]> pieces)
    {
        var first = new Segment(pieces[0], 0);
        Segment last = first;
        for (int i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
