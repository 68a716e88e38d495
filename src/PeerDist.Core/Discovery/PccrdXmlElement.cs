using System.Text;

namespace PeerDist.Discovery;

/// <summary>
/// One element of a parsed datagram: name, attributes, text and children. The readers build this small tree (bounded by
/// <see cref="PccrdReaderOptions.MaxElementCount"/>) instead of an <c>XmlDocument</c>, then check it top-down.
/// </summary>
internal sealed class PccrdXmlElement
{
    private StringBuilder? _text;
    private List<(string LocalName, string Namespace, string Value)>? _attributes;

    public PccrdXmlElement(string localName, string namespaceUri, int line, int position)
    {
        LocalName = localName;
        Namespace = namespaceUri;
        Line = line;
        Position = position;
    }

    public string LocalName { get; }

    public string Namespace { get; }

    /// <summary>The line (1-based) of the element name, for error offsets.</summary>
    public int Line { get; }

    /// <summary>The position in the line (1-based) of the element name.</summary>
    public int Position { get; }

    public List<PccrdXmlElement> Children { get; } = [];

    /// <summary>The namespaces in scope; captured only for <c>wsd:Types</c>, whose value is a list of QNames.</summary>
    public IDictionary<string, string>? NamespacesInScope { get; set; }

    /// <summary>The concatenated character data directly inside the element.</summary>
    public string Text => _text?.ToString() ?? string.Empty;

    public bool Is(string namespaceUri, string localName) =>
        string.Equals(LocalName, localName, StringComparison.Ordinal) && string.Equals(Namespace, namespaceUri, StringComparison.Ordinal);

    public void AppendText(string value) => (_text ??= new StringBuilder()).Append(value);

    public void AddAttribute(string localName, string namespaceUri, string value) => (_attributes ??= []).Add((localName, namespaceUri, value));

    /// <summary>The value of the unqualified attribute <paramref name="localName"/>, or null.</summary>
    public string? GetAttribute(string localName)
    {
        if (_attributes is null)
        {
            return null;
        }

        foreach ((string name, string ns, string value) in _attributes)
        {
            if (ns.Length == 0 && string.Equals(name, localName, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The children named <paramref name="localName"/> in <paramref name="namespaceUri"/>: none, the one, or the first of several.</summary>
    public int Find(string namespaceUri, string localName, out PccrdXmlElement? first, out PccrdXmlElement? second)
    {
        first = null;
        second = null;
        int count = 0;
        foreach (PccrdXmlElement child in Children)
        {
            if (child.Is(namespaceUri, localName))
            {
                count++;
                if (first is null)
                {
                    first = child;
                }
                else
                {
                    second ??= child;
                }
            }
        }

        return count;
    }
}
