using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml;
using System.Xml.Linq;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>
    /// Reads XML from a peer: DTDs prohibited (no entity expansion, no external fetches), comments dropped,
    /// size bounded by the caller's read, nesting and element count bounded while reading (before any tree is
    /// built, so a hostile body costs time linear in its size). Every failure is a MalformedResponse or UnsafeResponse error.
    /// </summary>
    public static class SafeXml
    {
        /// <summary>Deepest nesting accepted; SOAP answers from CEP/CES nest about 12 deep.</summary>
        public const int MaxDepth = 64;
        /// <summary>Most elements accepted in one document (a CEP policy with 1,000 templates has about 60,000).</summary>
        public const int MaxElements = 500_000;

        /// <param name="cancellation">Checked while reading, so the caller's timeout covers the parse too.</param>
        public static XDocument Parse(byte[] body, string what, CancellationToken cancellation = default)
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
                MaxCharactersFromEntities = 1024,
            };
            try
            {
                // The bounds are checked in a streaming pass first: the tree builder has no depth limit of its own.
                using (var scan = XmlReader.Create(new MemoryStream(body, writable: false), settings))
                {
                    int elements = 0;
                    while (scan.Read())
                    {
                        if (scan.NodeType != XmlNodeType.Element) continue;
                        if (scan.Depth >= MaxDepth)
                            throw new PscException("UnsafeResponse", FailureCategory.SecurityError,
                                $"The {what} is nested deeper than {MaxDepth} elements; it was refused unread (no CA service answers like that).");
                        if (++elements > MaxElements)
                            throw new PscException("UnsafeResponse", FailureCategory.SecurityError,
                                $"The {what} has more than {MaxElements.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} elements; it was refused unread.");
                        if ((elements & 1023) == 0) cancellation.ThrowIfCancellationRequested();
                    }
                }
                cancellation.ThrowIfCancellationRequested();
                using var reader = XmlReader.Create(new MemoryStream(body, writable: false), settings);
                return XDocument.Load(reader, LoadOptions.None);
            }
            catch (XmlException ex)
            {
                if (DeclaresDtd(body))
                    throw new PscException("UnsafeResponse", FailureCategory.SecurityError,
                        $"The {what} declares a DOCTYPE or entities; it was refused unread (DTDs are never processed).");
                throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"The {what} is not well-formed XML ({ex.Message}). Starts with: {Preview(body)}");
            }
        }

        private static bool DeclaresDtd(byte[] body)
        {
            var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 64 * 1024));
            return text.IndexOf("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("<!ENTITY", StringComparison.OrdinalIgnoreCase) >= 0;
        }

        /// <summary>The first characters of a body, printable and short, for error messages.</summary>
        public static string Preview(byte[] body)
        {
            var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
            var clean = new string(text.Select(c => DisplayText.IsControl(c) ? ' ' : c).ToArray()).Trim();
            return clean.Length == 0 ? "(empty)" : "'" + clean + (body.Length > 200 ? "…'" : "'");
        }

        /// <summary>Base64 text as servers send it: line breaks (also as &amp;#xD;) and spaces are ignored.</summary>
        public static byte[] Base64(string text, string what)
        {
            var compact = new string(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
            try { return Convert.FromBase64String(compact); }
            catch (FormatException)
            {
                throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"The {what} is not valid base64.");
            }
        }

        public static XElement? Child(this XElement? parent, XNamespace ns, string name) => parent?.Element(ns + name);

        /// <summary>True when the element is absent or marked xsi:nil.</summary>
        public static bool IsNil(this XElement? element) =>
            element == null || (string?)element.Attribute(XNamespace.Get("http://www.w3.org/2001/XMLSchema-instance") + "nil") == "true";

        public static string? Text(this XElement? element) => element.IsNil() ? null : element!.Value.Trim();

        public static int? Int(this XElement? element, string what)
        {
            var text = element.Text();
            if (string.IsNullOrEmpty(text)) return null;
            return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
                : long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var wide) && wide <= uint.MaxValue ? unchecked((int)(uint)wide)
                : throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"The {what} '{text}' is not a whole number.");
        }

        public static long? Long(this XElement? element, string what)
        {
            var text = element.Text();
            if (string.IsNullOrEmpty(text)) return null;
            return long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
                : throw new PscException("MalformedResponse", FailureCategory.InvalidData, $"The {what} '{text}' is not a whole number.");
        }

        public static bool? Bool(this XElement? element)
        {
            var text = element.Text();
            return text == null ? null : text == "true" || text == "1";
        }
    }
}
