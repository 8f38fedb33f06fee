using System.IO;
using System.Text;
using PSCertConnector.Core;

namespace PSCertConnector.Cli
{
    /// <summary>
    /// Everything the CLI prints passes here: control characters other than line breaks and tabs arrive escaped
    /// (\x1B, \u202E), whatever certificate, CA answer or file the text came from. Progress, which rewrites its line
    /// with a carriage return on purpose, writes its own control through <see cref="Inner"/>.
    /// </summary>
    internal sealed class TerminalSafeWriter : TextWriter
    {
        private const string Kept = "\n\t";

        public TerminalSafeWriter(TextWriter inner) => Inner = inner;

        public TextWriter Inner { get; }
        public override Encoding Encoding => Inner.Encoding;

        public override void Write(char value)
        {
            if (DisplayText.IsControl(value) && Kept.IndexOf(value) < 0) Inner.Write(DisplayText.Escape(value.ToString()));
            else Inner.Write(value);
        }

        public override void Write(string? value) => Inner.Write(DisplayText.Escape(value, keep: Kept));

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        // The platform's line ending (\r\n on Windows) is ours, not the text's.
        public override void WriteLine() => Inner.WriteLine();

        public override void WriteLine(string? value)
        {
            Write(value);
            Inner.WriteLine();
        }

        public override void Flush() => Inner.Flush();

        /// <summary>The writer whose text is made safe (unwrapped when it is not one).</summary>
        public static TextWriter Unwrap(TextWriter writer) => writer is TerminalSafeWriter safe ? safe.Inner : writer;
    }
}
