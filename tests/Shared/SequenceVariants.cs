using System.Buffers;

namespace PeerDist.Tests.Shared;

/// <summary>
/// The same bytes as differently shaped <see cref="ReadOnlySequence{T}"/>s, so a sequence parser is proved not to depend
/// on where segment boundaries fall (house style "Every sequence-based parser runs under SequenceVariants.All"): one
/// segment; one segment inside 0xFF guard bytes; two segments split at every offset; one byte per segment.
/// </summary>
public static class SequenceVariants
{
    /// <summary>The guard byte around the padded variant: a parser that reads outside its slice sees 0xFF.</summary>
    public const byte Guard = 0xFF;

    /// <summary>Every variant of <paramref name="bytes"/>, each with a short name for failure messages.</summary>
    public static IEnumerable<(string Name, ReadOnlySequence<byte> Sequence)> All(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        yield return ("single", new ReadOnlySequence<byte>(bytes));
        yield return ("padded", Padded(bytes));
        for (int split = 1; split < bytes.Length; split++)
        {
            yield return ($"split@{split}", Split(bytes, split));
        }

        yield return ("byte-per-segment", OneBytePerSegment(bytes));
    }

    /// <summary>
    /// A few shapes only (single, padded, a handful of splits, chunks of 4096 bytes): for inputs too large for
    /// <see cref="All"/>, where every split would cost quadratic time.
    /// </summary>
    public static IEnumerable<(string Name, ReadOnlySequence<byte> Sequence)> Sampled(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        yield return ("single", new ReadOnlySequence<byte>(bytes));
        yield return ("padded", Padded(bytes));
        foreach (int split in new[] { 1, 3, 4, 15, 16, 17, 20, 55, 56, 57, 63, bytes.Length / 2, bytes.Length - 21, bytes.Length - 17, bytes.Length - 1 })
        {
            if (split > 0 && split < bytes.Length)
            {
                yield return ($"split@{split}", Split(bytes, split));
            }
        }

        yield return ("chunks-of-4096", Chunked(bytes, 4096));
        yield return ("chunks-of-7", Chunked(bytes, 7));
    }

    /// <summary>The bytes inside a larger array, with <see cref="Guard"/> bytes before and after.</summary>
    public static ReadOnlySequence<byte> Padded(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        byte[] buffer = new byte[bytes.Length + 64];
        buffer.AsSpan().Fill(Guard);
        bytes.CopyTo(buffer, 32);
        return new ReadOnlySequence<byte>(buffer, 32, bytes.Length);
    }

    /// <summary>Two segments: <c>[0, split)</c> and <c>[split, end)</c>.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int split)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Build([bytes.AsMemory(0, split), bytes.AsMemory(split)]);
    }

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) => Chunked(bytes, 1);

    /// <summary>Segments of <paramref name="size"/> bytes (the last may be shorter).</summary>
    public static ReadOnlySequence<byte> Chunked(byte[] bytes, int size)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var parts = new List<ReadOnlyMemory<byte>>();
        for (int at = 0; at < bytes.Length; at += size)
        {
            parts.Add(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)));
        }

        return Build(parts);
    }

    /// <summary>A sequence made of the given segments, in order (each a separate copy).</summary>
    public static ReadOnlySequence<byte> Build(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(parts[0].ToArray(), 0);
        Segment last = first;
        for (int i = 1; i < parts.Count; i++)
        {
            last = last.Append(parts[i].ToArray());
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
