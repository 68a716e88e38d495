using System.Diagnostics.CodeAnalysis;
using System.Text;
using PeerDist.Content;

namespace PeerDist.Http;

/// <summary>
/// The <c>X-P2P-PeerDistEx</c> header of PeerDist 1.1 (MS-PCCRTP 2.2): the content information versions a client
/// accepts (<c>MinContentInformation</c>, <c>MaxContentInformation</c>), a server's <c>MakeHashRequest=true</c> (its
/// hashes were not ready, the body is the real content) and a client's follow-up <c>HashRequest=true</c>.
/// </summary>
public sealed record PeerDistExHeader
{
    /// <summary>The lowest content information version the client accepts; absent when not sent.</summary>
    public PccrtpVersion? MinContentInformation { get; init; }

    /// <summary>The highest content information version the client accepts; absent when not sent.</summary>
    public PccrtpVersion? MaxContentInformation { get; init; }

    /// <summary>Server to client: the hashes are not ready; ask again with <see cref="HashRequest"/> later (3.2.5.1).</summary>
    public bool MakeHashRequest { get; init; }

    /// <summary>Client to server: the follow-up request for content information after <see cref="MakeHashRequest"/>.</summary>
    public bool HashRequest { get; init; }

    /// <summary>
    /// Parses a header value; false (treat the header as invalid, never guess) for a malformed version, a flag that is
    /// neither <c>true</c> nor <c>false</c>, a repeated parameter or an item that is not <c>name=value</c>. Parameters of
    /// other names are ignored.
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out PeerDistExHeader? header)
    {
        header = null;
        if (value is null)
        {
            return false;
        }

        PccrtpVersion? min = null;
        PccrtpVersion? max = null;
        bool? makeHash = null;
        bool? hashRequest = null;
        bool ok = PccrtpParameterList.TryRead(value, (name, text) =>
        {
            if (PccrtpParameterList.Is(name, "MinContentInformation"))
            {
                return TrySetVersion(ref min, text);
            }

            if (PccrtpParameterList.Is(name, "MaxContentInformation"))
            {
                return TrySetVersion(ref max, text);
            }

            if (PccrtpParameterList.Is(name, "MakeHashRequest"))
            {
                return TrySetFlag(ref makeHash, text);
            }

            if (PccrtpParameterList.Is(name, "HashRequest"))
            {
                return TrySetFlag(ref hashRequest, text);
            }

            return true;
        });

        if (!ok)
        {
            return false;
        }

        header = new PeerDistExHeader
        {
            MinContentInformation = min,
            MaxContentInformation = max,
            MakeHashRequest = makeHash ?? false,
            HashRequest = hashRequest ?? false,
        };
        return true;
    }

    /// <summary>
    /// The content information version a server that supports up to <paramref name="highest"/> answers with
    /// (MS-PCCRTP 3.2.5.1): without the header, version 1.0 only; with it, the highest of 2.0 and 1.0 inside
    /// [<see cref="MinContentInformation"/>, <see cref="MaxContentInformation"/>] (a missing bound counts as 1.0).
    /// Null when no supported version lies in the window: the server must not use peerdist then.
    /// </summary>
    public static ContentInformationVersion? SelectContentInformationVersion(PeerDistExHeader? header, ContentInformationVersion highest = ContentInformationVersion.V2)
    {
        if (header is null)
        {
            return ContentInformationVersion.V1;
        }

        PccrtpVersion min = header.MinContentInformation ?? PccrtpVersion.V10;
        PccrtpVersion max = header.MaxContentInformation ?? PccrtpVersion.V10;
        if (highest >= ContentInformationVersion.V2 && min <= PccrtpVersion.V20 && PccrtpVersion.V20 <= max)
        {
            return ContentInformationVersion.V2;
        }

        return min <= PccrtpVersion.V10 && PccrtpVersion.V10 <= max ? ContentInformationVersion.V1 : null;
    }

    /// <summary>The header value, parameters in the specification's order, <c>, </c> between them; flags only when true.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (MinContentInformation is PccrtpVersion min)
        {
            Append(text, "MinContentInformation=").Append(min.ToString());
        }

        if (MaxContentInformation is PccrtpVersion max)
        {
            Append(text, "MaxContentInformation=").Append(max.ToString());
        }

        if (MakeHashRequest)
        {
            Append(text, "MakeHashRequest=true");
        }

        if (HashRequest)
        {
            Append(text, "HashRequest=true");
        }

        return text.ToString();
    }

    private static StringBuilder Append(StringBuilder text, string item) => (text.Length == 0 ? text : text.Append(", ")).Append(item);

    private static bool TrySetVersion(ref PccrtpVersion? slot, ReadOnlySpan<char> text)
    {
        if (slot is not null || !PccrtpVersion.TryParse(text, out PccrtpVersion version))
        {
            return false;
        }

        slot = version;
        return true;
    }

    private static bool TrySetFlag(ref bool? slot, ReadOnlySpan<char> text)
    {
        if (slot is not null || !PccrtpParameterList.TryParseBoolean(text, out bool flag))
        {
            return false;
        }

        slot = flag;
        return true;
    }
}
