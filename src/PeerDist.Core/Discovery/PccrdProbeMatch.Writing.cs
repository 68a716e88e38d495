namespace PeerDist.Discovery;

/// <summary>The ProbeMatch writer: one line, fixed prefixes, no attributes on the elements iPXE searches for, no self-closing tags.</summary>
public sealed partial class PccrdProbeMatch
{
    // The element order of MS-PCCRD 4.3 / 4.4; the literal tags <wsd:Scopes>, <wsd:XAddrs> and <PeerDist:BlockCount> are
    // what iPXE looks for (wire.md §2.6), so they are written exactly so.
    private void WriteTo(ref PccrdTextWriter writer)
    {
        writer.Raw(PccrdNames.EnvelopeStart);
        writer.Raw("<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action><wsa:MessageID>"u8);
        writer.Text(MessageId);
        writer.Raw("</wsa:MessageID><wsa:RelatesTo>"u8);
        writer.Text(RelatesTo);
        writer.Raw("</wsa:RelatesTo><wsd:AppSequence InstanceId=\""u8);
        writer.Decimal(AppSequence.InstanceId);
        writer.Raw("\" MessageNumber=\""u8);
        writer.Decimal(AppSequence.MessageNumber);
        writer.Raw("\"></wsd:AppSequence></soap:Header><soap:Body><wsd:ProbeMatches><wsd:ProbeMatch><wsa:EndpointReference><wsa:Address>"u8);
        writer.Text(EndpointAddress);
        writer.Raw("</wsa:Address></wsa:EndpointReference><wsd:Types>"u8);
        writer.Raw(Version == PccrdVersion.V1 ? "PeerDist:PeerDistData"u8 : "PeerDist:PeerDistDataV2"u8);
        writer.Raw("</wsd:Types><wsd:Scopes>"u8);
        if (Version == PccrdVersion.V1)
        {
            for (int i = 0; i < _blockCounts.Length; i++)
            {
                if (i > 0)
                {
                    writer.Raw(" "u8);
                }

                writer.Hex(_blockCounts[i].SegmentId.Span);
            }
        }
        else
        {
            writer.Base64(EncodeAvailability(_availability));
        }

        writer.Raw("</wsd:Scopes><wsd:XAddrs>"u8);
        for (int i = 0; i < _xAddrs.Length; i++)
        {
            if (i > 0)
            {
                writer.Raw(" "u8);
            }

            writer.EndPoint(_xAddrs[i]);
        }

        writer.Raw("</wsd:XAddrs><wsd:MetadataVersion>"u8);
        writer.Decimal(MetadataVersion);
        writer.Raw("</wsd:MetadataVersion><PeerDist:PeerDistData>"u8);
        if (Version == PccrdVersion.V1)
        {
            writer.Raw("<PeerDist:BlockCount>"u8);
            foreach (PccrdSegmentBlockCount count in _blockCounts)
            {
                writer.Hex8(count.BlockCount); // MS-PCCRD 2.2.3.9; 8 digits as in 4.3 and as iPXE parses (wire.md §2.3)
            }

            writer.Raw("</PeerDist:BlockCount>"u8);
        }
        else
        {
            writer.Raw("<PeerDist:SegmentAges>"u8);
            writer.Base64(SegmentAges!.Value.ToArray()); // MS-PCCRD 2.2.3.9: base64 of the MS-PCCRR 2.2.6 blob
            writer.Raw("</PeerDist:SegmentAges>"u8);
        }

        writer.Raw("</PeerDist:PeerDistData></wsd:ProbeMatch></wsd:ProbeMatches></soap:Body></soap:Envelope>"u8);
    }

    /// <summary>Packs two-bit entries four to a byte, entry 0 in bits 7..6 (wire.md §2.4), the last byte padded with zeros.</summary>
    internal static byte[] EncodeAvailability(ReadOnlySpan<PccrdSegmentAvailability> availability)
    {
        byte[] bits = new byte[(availability.Length + 3) / 4];
        for (int i = 0; i < availability.Length; i++)
        {
            bits[i / 4] |= (byte)(((int)availability[i] & 0b11) << (6 - (2 * (i % 4))));
        }

        return bits;
    }
}
