using System.Buffers;
using System.Text.Unicode;
using System.Xml;

namespace PeerDist.Discovery;

/// <summary>
/// The one status-returning core behind <see cref="PccrdProbe"/> and <see cref="PccrdProbeMatch"/> Read/TryRead: limits,
/// then hardened XML into a bounded element tree, then the SOAP envelope and WS-Addressing headers (MS-PCCRD 2.2.1,
/// wire.md §2.2). The message bodies are checked by <see cref="PccrdProbe"/> and <see cref="PccrdProbeMatch"/>.
/// </summary>
/// <remarks>
/// Every failure is a <see cref="PeerDistFormatError"/> with a best-effort byte offset (computed from the XML line and
/// column, pointing at the element that broke a rule). <see cref="XmlException"/> is the only exception the XML layer
/// throws for bad input; it is caught here and becomes <see cref="PeerDistFormatError.PccrdInvalidXml"/>.
/// </remarks>
internal sealed class PccrdMessageReader
{
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    private readonly ReadOnlyMemory<byte> _datagram;
    private readonly int _textStart;

    private PccrdMessageReader(ReadOnlyMemory<byte> datagram, int textStart)
    {
        _datagram = datagram;
        _textStart = textStart;
    }

    public PeerDistFormatError Error { get; private set; }

    public long ErrorOffset { get; private set; }

    /// <summary>Parses the envelope and checks everything up to the body element. False with <see cref="Error"/> set on failure.</summary>
    public static bool TryReadEnvelope(
        ReadOnlyMemory<byte> datagram,
        PccrdReaderOptions options,
        bool probeMatches,
        out PccrdMessageReader reader,
        out PccrdEnvelope envelope)
    {
        envelope = default;
        ReadOnlySpan<byte> bytes = datagram.Span;
        int textStart = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        reader = new PccrdMessageReader(datagram, textStart);

        if (bytes.Length > options.MaxDatagramSize)
        {
            return reader.Fail(PeerDistFormatError.PccrdDatagramTooLarge, options.MaxDatagramSize);
        }

        if (!reader.TryLoad(bytes[textStart..], options, out PccrdXmlElement? root))
        {
            return false;
        }

        return reader.TryReadEnvelope(root!, probeMatches, out envelope);
    }

    public bool Fail(PeerDistFormatError error, long offset)
    {
        Error = error;
        ErrorOffset = offset;
        return false;
    }

    public bool Fail(PeerDistFormatError error, PccrdXmlElement element) =>
        Fail(error, OffsetOf(element.Line, element.Position - 1)); // the '<' before the name

    /// <summary>Exactly one child <paramref name="localName"/>; otherwise fails with <paramref name="error"/> (at the parent or at the duplicate).</summary>
    public bool TrySingle(PccrdXmlElement parent, string namespaceUri, string localName, PeerDistFormatError error, out PccrdXmlElement child)
    {
        int count = parent.Find(namespaceUri, localName, out PccrdXmlElement? first, out PccrdXmlElement? second);
        child = first!;
        return count switch
        {
            1 => true,
            0 => Fail(error, parent),
            _ => Fail(error, second!),
        };
    }

    /// <summary>The text of <paramref name="element"/> without surrounding whitespace, if it is a URI (not empty, no inner whitespace).</summary>
    public bool TryReadUri(PccrdXmlElement element, PeerDistFormatError error, out string value)
    {
        ReadOnlySpan<char> text = PccrdFields.Trim(element.Text);
        value = string.Empty;
        if (!PccrdFields.IsUri(text))
        {
            return Fail(error, element);
        }

        value = text.Length == element.Text.Length ? element.Text : text.ToString();
        return true;
    }

    /// <summary>
    /// MS-PCCRD 2.2.3.1: <c>Types</c> is a list of QNames and must name exactly one PeerDist type, resolved through the
    /// namespaces in scope (so any prefix bound to the PeerDist namespace works, not only <c>PeerDist:</c>).
    /// </summary>
    public bool TryReadTypes(PccrdXmlElement types, out PccrdVersion version)
    {
        version = default;
        int found = 0;
        string text = types.Text;
        foreach (Range range in text.AsSpan().SplitAny(PccrdFields.Whitespace))
        {
            ReadOnlySpan<char> qname = text.AsSpan()[range];
            if (qname.IsEmpty)
            {
                continue;
            }

            int colon = qname.IndexOf(':');
            string prefix = colon < 0 ? string.Empty : qname[..colon].ToString();
            ReadOnlySpan<char> local = qname[(colon + 1)..];
            if (types.NamespacesInScope is null
                || !types.NamespacesInScope.TryGetValue(prefix, out string? ns)
                || !string.Equals(ns, PccrdNames.PeerDistNamespace, StringComparison.Ordinal))
            {
                continue; // another provider's type (a printer, a media server): not ours
            }

            if (local.SequenceEqual(PccrdNames.TypeV1))
            {
                version = PccrdVersion.V1;
                found++;
            }
            else if (local.SequenceEqual(PccrdNames.TypeV2))
            {
                version = PccrdVersion.V2;
                found++;
            }
        }

        return found == 1 || Fail(PeerDistFormatError.PccrdNotPeerDist, types);
    }

    private bool TryLoad(ReadOnlySpan<byte> utf8, PccrdReaderOptions options, out PccrdXmlElement? root)
    {
        root = null;

        // Decode strictly first: an invalid byte is reported where it is, and XmlReader then works on checked text (its own
        // encoding detection, and the encoding named in the declaration, play no part).
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(1, utf8.Length));
        string text;
        try
        {
            OperationStatus status = Utf8.ToUtf16(utf8, chars, out int read, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                return Fail(PeerDistFormatError.PccrdInvalidXml, _textStart + read);
            }

            text = new string(chars, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = options.MaxDatagramSize,
            MaxCharactersFromEntities = 1024, // 0 would mean "no limit"; with the DTD prohibited no entity can be declared anyway
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            CheckCharacters = true,
            ConformanceLevel = ConformanceLevel.Document,
        };

        var stack = new Stack<PccrdXmlElement>();
        int elements = 0;
        try
        {
            using var stringReader = new StringReader(text);
            using var xml = XmlReader.Create(stringReader, settings);
            var lineInfo = (IXmlLineInfo)xml;
            while (xml.Read())
            {
                switch (xml.NodeType)
                {
                    case XmlNodeType.Element:
                        var element = new PccrdXmlElement(xml.LocalName, xml.NamespaceURI, lineInfo.LineNumber, lineInfo.LinePosition);
                        if (++elements > options.MaxElementCount)
                        {
                            return Fail(PeerDistFormatError.PccrdTooManyElements, element);
                        }

                        bool empty = xml.IsEmptyElement;
                        if (xml.MoveToFirstAttribute())
                        {
                            do
                            {
                                if (!string.Equals(xml.NamespaceURI, XmlnsNamespace, StringComparison.Ordinal))
                                {
                                    element.AddAttribute(xml.LocalName, xml.NamespaceURI, xml.Value);
                                }
                            }
                            while (xml.MoveToNextAttribute());
                            xml.MoveToElement();
                        }

                        if (element.Is(PccrdNames.DiscoveryNamespace, PccrdNames.Types))
                        {
                            element.NamespacesInScope = ((IXmlNamespaceResolver)xml).GetNamespacesInScope(XmlNamespaceScope.All);
                        }

                        if (stack.TryPeek(out PccrdXmlElement? parent))
                        {
                            parent.Children.Add(element);
                        }
                        else
                        {
                            root = element;
                        }

                        if (!empty)
                        {
                            stack.Push(element);
                        }

                        break;

                    case XmlNodeType.EndElement:
                        stack.Pop();
                        break;

                    case XmlNodeType.Text:
                    case XmlNodeType.CDATA:
                    case XmlNodeType.SignificantWhitespace:
                    case XmlNodeType.Whitespace:
                        if (stack.TryPeek(out PccrdXmlElement? owner))
                        {
                            owner.AppendText(xml.Value);
                        }

                        break;
                }
            }
        }
        catch (XmlException exception)
        {
            // Not well-formed, a DOCTYPE (prohibited), an undeclared entity or prefix, or over MaxCharactersInDocument.
            return Fail(PeerDistFormatError.PccrdInvalidXml, OffsetOf(exception.LineNumber, exception.LinePosition));
        }

        return root is not null || Fail(PeerDistFormatError.PccrdInvalidXml, 0);
    }

    private bool TryReadEnvelope(PccrdXmlElement root, bool probeMatches, out PccrdEnvelope envelope)
    {
        envelope = default;

        // SOAP 1.2: Envelope holds an optional Header and a Body, nothing else; PCCRD messages always carry the header.
        if (!root.Is(PccrdNames.SoapNamespace, PccrdNames.Envelope) || root.Children.Count != 2
            || !root.Children[0].Is(PccrdNames.SoapNamespace, PccrdNames.Header)
            || !root.Children[1].Is(PccrdNames.SoapNamespace, PccrdNames.Body))
        {
            return Fail(PeerDistFormatError.PccrdInvalidEnvelope, root);
        }

        PccrdXmlElement header = root.Children[0];
        PccrdXmlElement body = root.Children[1];

        // The action decides what the message is, so it is checked first: a Hello or a Resolve is not malformed, just not ours.
        if (!TrySingle(header, PccrdNames.AddressingNamespace, PccrdNames.Action, PeerDistFormatError.PccrdInvalidAddressing, out PccrdXmlElement action)
            || !TryReadUri(action, PeerDistFormatError.PccrdInvalidAddressing, out string actionValue))
        {
            return false;
        }

        string expectedAction = probeMatches ? PccrdNames.ProbeMatchesAction : PccrdNames.ProbeAction;
        if (!string.Equals(actionValue, expectedAction, StringComparison.Ordinal))
        {
            return Fail(PeerDistFormatError.PccrdUnexpectedMessage, action);
        }

        // wire.md §2.2: the fixed wsa:To of each message.
        string expectedTo = probeMatches ? PccrdNames.ProbeMatchesTo : PccrdNames.ProbeTo;
        if (!TrySingle(header, PccrdNames.AddressingNamespace, PccrdNames.To, PeerDistFormatError.PccrdInvalidAddressing, out PccrdXmlElement to)
            || !TryReadUri(to, PeerDistFormatError.PccrdInvalidAddressing, out string toValue))
        {
            return false;
        }

        if (!string.Equals(toValue, expectedTo, StringComparison.Ordinal))
        {
            return Fail(PeerDistFormatError.PccrdInvalidAddressing, to);
        }

        if (!TrySingle(header, PccrdNames.AddressingNamespace, PccrdNames.MessageId, PeerDistFormatError.PccrdInvalidAddressing, out PccrdXmlElement messageId)
            || !TryReadUri(messageId, PeerDistFormatError.PccrdInvalidAddressing, out string messageIdValue))
        {
            return false;
        }

        string? relatesToValue = null;
        PccrdAppSequence appSequence = default;
        if (probeMatches)
        {
            if (!TrySingle(header, PccrdNames.AddressingNamespace, PccrdNames.RelatesTo, PeerDistFormatError.PccrdInvalidAddressing, out PccrdXmlElement relatesTo)
                || !TryReadUri(relatesTo, PeerDistFormatError.PccrdInvalidAddressing, out relatesToValue)
                || !TryReadAppSequence(header, out appSequence))
            {
                return false;
            }
        }

        // The body holds exactly the one WS-Discovery message the action announced.
        string expectedBody = probeMatches ? PccrdNames.ProbeMatches : PccrdNames.Probe;
        if (body.Children.Count != 1 || !body.Children[0].Is(PccrdNames.DiscoveryNamespace, expectedBody))
        {
            return Fail(PeerDistFormatError.PccrdInvalidEnvelope, body);
        }

        envelope = new PccrdEnvelope(messageIdValue, relatesToValue, appSequence, body.Children[0]);
        return true;
    }

    /// <summary>MS-PCCRD 2.2.3.6, 2.2.3.7: <c>wsd:AppSequence</c> with unsigned 32-bit <c>InstanceId</c> and <c>MessageNumber</c> attributes.</summary>
    private bool TryReadAppSequence(PccrdXmlElement header, out PccrdAppSequence appSequence)
    {
        appSequence = default;
        if (!TrySingle(header, PccrdNames.DiscoveryNamespace, PccrdNames.AppSequence, PeerDistFormatError.PccrdInvalidAppSequence, out PccrdXmlElement element))
        {
            return false;
        }

        if (!TryParseUInt32(element.GetAttribute(PccrdNames.InstanceId), out uint instanceId)
            || !TryParseUInt32(element.GetAttribute(PccrdNames.MessageNumber), out uint messageNumber))
        {
            return Fail(PeerDistFormatError.PccrdInvalidAppSequence, element);
        }

        appSequence = new PccrdAppSequence(instanceId, messageNumber);
        return true;
    }

    /// <summary>An <c>xs:unsignedInt</c>: decimal digits, surrounding whitespace allowed.</summary>
    public static bool TryParseUInt32(string? text, out uint value)
    {
        value = 0;
        return text is not null && uint.TryParse(
            PccrdFields.Trim(text),
            System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture,
            out value);
    }

    /// <summary>
    /// Maps an XML line and column (1-based, in UTF-16 characters) back to a byte offset in the datagram. Best effort: it is
    /// only used to report where a problem was found.
    /// </summary>
    private long OffsetOf(int line, int position)
    {
        ReadOnlySpan<byte> bytes = _datagram.Span;
        int at = _textStart;
        if (line <= 0)
        {
            return at;
        }

        for (int current = 1; current < line && at < bytes.Length; at++)
        {
            if (bytes[at] == '\n' || (bytes[at] == '\r' && (at + 1 >= bytes.Length || bytes[at + 1] != '\n')))
            {
                current++;
            }
        }

        for (int column = 1; column < position && at < bytes.Length; column++)
        {
            byte lead = bytes[at];
            at += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        }

        return Math.Min(at, bytes.Length);
    }
}
