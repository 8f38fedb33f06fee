using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PSCertConnector.Core
{
    /// <summary>
    /// Text from certificates, CAs, directories and users made safe for a person's screen: control characters (C0, DEL,
    /// C1, and the line, paragraph and bidirectional controls that reorder or hide text) become visible escapes such as
    /// \x1B or \u202E, and a column is capped at a width with an ellipsis. A terminal never receives an escape sequence
    /// from a certificate's subject, and one 1 MiB name does not fill the screen.
    /// </summary>
    public static class DisplayText
    {
        public const string Ellipsis = "…";

        /// <summary>True for a character a terminal would act on or that would hide or reorder the text around it.</summary>
        public static bool IsControl(char c) =>
            c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
            || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F' || c == '\u061C';

        /// <summary>The first control character's index, or -1.</summary>
        public static int IndexOfControl(string? text) => text == null ? -1 : IndexOfControlNotKept(text, "");

        /// <summary>The code point of a character as people write it: U+001B.</summary>
        public static string CodePoint(char c) => "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);

        /// <summary>
        /// The text with every control character escaped (those in <paramref name="keep"/> left as they are) and, when
        /// <paramref name="maxWidth"/> is positive, cut to at most that many characters ending in an ellipsis. A cut
        /// never splits an escape or a surrogate pair. Only as much of a long text is read as the width needs.
        /// </summary>
        public static string Escape(string? text, int maxWidth = 0, string keep = "")
        {
            if (string.IsNullOrEmpty(text)) return "";
            if (maxWidth <= 0 && IndexOfControlNotKept(text!, keep) < 0) return text!;
            if (maxWidth > 0 && text!.Length <= maxWidth && IndexOfControlNotKept(text, keep) < 0) return text;

            var sb = new StringBuilder(maxWidth > 0 ? maxWidth + 8 : text!.Length + 16);
            // Where each piece (a character, a pair or an escape) ends, so that a cut falls between pieces.
            var ends = maxWidth > 0 ? new List<int>() : null;
            for (int i = 0; i < text!.Length; i++)
            {
                char c = text[i];
                if (IsControl(c) && keep.IndexOf(c) < 0)
                    sb.Append(c <= 0xFF ? "\\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture) : "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture));
                else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    sb.Append(c).Append(text[++i]);
                else
                    sb.Append(c);
                if (ends == null) continue;
                ends.Add(sb.Length);
                if (sb.Length > maxWidth) break;
            }
            if (ends == null || sb.Length <= maxWidth) return sb.ToString();
            int cut = 0;
            foreach (var end in ends)
            {
                if (end > maxWidth - Ellipsis.Length) break;
                cut = end;
            }
            return sb.ToString(0, cut) + Ellipsis;
        }

        private static int IndexOfControlNotKept(string text, string keep)
        {
            for (int i = 0; i < text.Length; i++)
                if (IsControl(text[i]) && keep.IndexOf(text[i]) < 0) return i;
            return -1;
        }
    }
}
