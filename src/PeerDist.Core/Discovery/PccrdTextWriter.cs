using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PeerDist.Discovery;

/// <summary>
/// Writes UTF-8 text into a span. It keeps counting past the end of the span without writing, so one pass with an empty
/// span measures a message and a second pass fills a buffer of that size (one routine for both, so they cannot differ).
/// </summary>
internal ref struct PccrdTextWriter
{
    private static ReadOnlySpan<byte> HexDigits => "0123456789ABCDEF"u8;

    private readonly Span<byte> _destination;
    private int _length;

    public PccrdTextWriter(Span<byte> destination)
    {
        _destination = destination;
        _length = 0;
    }

    /// <summary>The bytes the text needs; more than the span holds when it was too small.</summary>
    public readonly int Length => _length;

    /// <summary>Whether every byte fitted.</summary>
    public readonly bool Fits => _length <= _destination.Length;

    /// <summary>Reserves <paramref name="count"/> bytes; an empty span when they do not fit (then nothing is written).</summary>
    private Span<byte> Take(int count)
    {
        int start = _length;
        _length += count;
        return _length <= _destination.Length ? _destination.Slice(start, count) : [];
    }

    public void Raw(scoped ReadOnlySpan<byte> utf8)
    {
        Span<byte> target = Take(utf8.Length);
        if (!target.IsEmpty)
        {
            utf8.CopyTo(target);
        }
    }

    /// <summary>Text content or an attribute value: UTF-8, with the characters XML reserves escaped.</summary>
    public void Text(string value)
    {
        ReadOnlySpan<char> rest = value;
        while (!rest.IsEmpty)
        {
            int special = rest.IndexOfAny("&<>\"");
            ReadOnlySpan<char> plain = special < 0 ? rest : rest[..special];
            if (!plain.IsEmpty)
            {
                Span<byte> target = Take(Encoding.UTF8.GetByteCount(plain));
                if (!target.IsEmpty)
                {
                    Encoding.UTF8.GetBytes(plain, target);
                }
            }

            if (special < 0)
            {
                break;
            }

            Raw(rest[special] switch
            {
                '&' => "&amp;"u8,
                '<' => "&lt;"u8,
                '>' => "&gt;"u8,
                _ => "&quot;"u8,
            });
            rest = rest[(special + 1)..];
        }
    }

    /// <summary>Upper-case hexBinary (wire.md §2.3: emit upper case, as iPXE and Windows peers expect).</summary>
    public void Hex(ReadOnlySpan<byte> bytes)
    {
        Span<byte> target = Take(bytes.Length * 2);
        if (target.IsEmpty)
        {
            return;
        }

        for (int i = 0; i < bytes.Length; i++)
        {
            target[2 * i] = HexDigits[bytes[i] >> 4];
            target[(2 * i) + 1] = HexDigits[bytes[i] & 0xF];
        }
    }

    /// <summary>A 32-bit value as exactly 8 upper-case hex digits, most significant first (MS-PCCRD 2.2.3.9, wire.md §2.3).</summary>
    public void Hex8(uint value)
    {
        Span<byte> target = Take(8);
        if (target.IsEmpty)
        {
            return;
        }

        for (int i = 7; i >= 0; i--)
        {
            target[i] = HexDigits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    /// <summary>base64Binary with padding and no line breaks.</summary>
    public void Base64(ReadOnlySpan<byte> bytes)
    {
        Span<byte> target = Take(System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(bytes.Length));
        if (!target.IsEmpty)
        {
            System.Buffers.Text.Base64.EncodeToUtf8(bytes, target, out _, out _);
        }
    }

    /// <summary>An unsigned decimal.</summary>
    public void Decimal(uint value)
    {
        Span<byte> scratch = stackalloc byte[10];
        Utf8Formatter.TryFormat(value, scratch, out int written);
        Raw(scratch[..written]);
    }

    /// <summary>
    /// One XAddrs item: <c>a.b.c.d:port</c>, or <c>[v6]:port</c> for IPv6 (wire.md §2.3: the form is not shown anywhere,
    /// so the bracketed URI form of RFC 3986 is emitted). A scope identifier means nothing to another host and is left out.
    /// </summary>
    public void EndPoint(IPEndPoint endPoint)
    {
        IPAddress address = endPoint.Address;
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }

        Span<byte> scratch = stackalloc byte[64];
        address.TryFormat(scratch, out int written);
        if (v6)
        {
            Raw("["u8);
            Raw(scratch[..written]);
            Raw("]"u8);
        }
        else
        {
            Raw(scratch[..written]);
        }

        Raw(":"u8);
        Decimal((uint)endPoint.Port);
    }
}
