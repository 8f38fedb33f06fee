using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using PSCertConnector.Core.Pkix;

namespace PSCertConnector.Core.Protocols
{
    /// <summary>
    /// Web Enrollment (/certsrv, the ASP pages of AD CS): the form a browser posts and the reading of the
    /// pages it gets back. The pages are HTML meant for people, so the reading keys on links, request ids
    /// and HRESULT numbers, and only falls back to the (English) wording where nothing else exists.
    /// </summary>
    public static class CertsrvCodec
    {
        public const string SubmitPath = "certfnsh.asp";
        public const string CaRenewalsPath = "certcarc.asp";
        /// <summary>Some servers refuse clients that do not look like a browser.</summary>
        public const string UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) PSCertConnector";

        // [0-9], not \d: \d also matches other scripts' digits, which are no request id or count.
        private static readonly Regex IssuedLink = new(@"certnew\.(?:cer|p7b)\?ReqID=([0-9]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex RequestIdText = new(@"Request\s+Id\s+is\s+([0-9]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        // certfnsh.asp says: The disposition message is "…"; certnew.cer's error page says: Disposition message:<tabs>…
        // The message is bounded so that a page of unclosed quotes costs linear time, not quadratic.
        private static readonly Regex DispositionText = new("disposition message is \"([^\"]{0,4096})\"", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex DispositionLine = new(@"Disposition message:[ \t]*([^\r\n<]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex HResultText = new(@"\b0x(8[0-9a-fA-F]{7})\b", RegexOptions.CultureInvariant);
        private static readonly Regex Renewals = new(@"nRenewals\s*=\s*([0-9]+)", RegexOptions.CultureInvariant);

        public static IReadOnlyList<KeyValuePair<string, string>> SubmitForm(byte[] csrDer, string template, IReadOnlyDictionary<string, string> attributes)
        {
            if (template.IndexOfAny(new[] { '\r', '\n' }) >= 0)
                throw new PscException("InvalidAttribute", FailureCategory.InvalidArgument, "The template name may not contain line breaks.") { Target = template };
            var attributeLines = new StringBuilder("CertificateTemplate:" + template);
            foreach (var attribute in attributes.Where(a => !a.Key.Equals("CertificateTemplate", StringComparison.OrdinalIgnoreCase)))
            {
                if (attribute.Key.IndexOfAny(new[] { '\r', '\n', ':' }) >= 0 || attribute.Value.IndexOfAny(new[] { '\r', '\n' }) >= 0)
                    throw new PscException("InvalidAttribute", FailureCategory.InvalidArgument,
                        $"The request attribute '{attribute.Key}' cannot be sent: names may not contain ':' or line breaks, and values may not contain line breaks.") { Target = attribute.Key };
                attributeLines.Append("\r\n").Append(attribute.Key).Append(':').Append(attribute.Value);
            }
            return new[]
            {
                Pair("Mode", "newreq"),
                Pair("CertRequest", Pem.Encode("CERTIFICATE REQUEST", csrDer)),
                Pair("CertAttrib", attributeLines.ToString()),
                Pair("FriendlyType", "Saved-Request Certificate"),
                Pair("ThumbPrint", ""),
                Pair("TargetStoreFlags", "0"),
                Pair("SaveCert", "yes"),
            };
        }

        public static string RetrievePath(string requestId, bool chain) =>
            (chain ? "certnew.p7b" : "certnew.cer") + "?ReqID=" + Uri.EscapeDataString(requestId) + "&Enc=b64";

        public static string CaCertificatePath(int renewal, bool chain) =>
            (chain ? "certnew.p7b" : "certnew.cer") + "?ReqID=CACert&Renewal=" + renewal.ToString(CultureInfo.InvariantCulture) + "&Enc=b64";

        /// <summary>Reads certfnsh.asp's result page: an issued link, a pending request id, or a disposition with an HRESULT.</summary>
        public static CertsrvPage ReadSubmitPage(string html)
        {
            var text = PlainText(html);
            var issued = IssuedLink.Match(html);
            if (issued.Success)
                return new CertsrvPage(SubmitStatus.Issued, issued.Groups[1].Value, Disposition(text) ?? "Issued", 0);
            return ReadStatusPage(html, text, "certificate request result page");
        }

        /// <summary>Reads what certnew.cer returns instead of a certificate: still pending, denied, or not found.</summary>
        public static CertsrvPage ReadRetrievePage(string html, string requestId)
        {
            var page = ReadStatusPage(html, PlainText(html), "certificate retrieval page");
            return page with { RequestId = page.RequestId ?? requestId };
        }

        private static CertsrvPage ReadStatusPage(string html, string text, string what)
        {
            var requestId = RequestIdText.Match(text) is { Success: true } id ? id.Groups[1].Value : null;
            var message = Disposition(text);
            var hresultMatch = HResultText.Match(text);
            if (hresultMatch.Success)
            {
                var hresult = unchecked((int)uint.Parse(hresultMatch.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                if (unchecked((uint)hresult) is 0x800706BA or 0x800706BE or 0x800706D9)
                    // The web server is up but cannot reach its CA: another service may.
                    throw new ServiceUnavailableException("CaUnavailable", FailureCategory.ConnectionError,
                        $"The Web Enrollment server cannot reach its CA: {message ?? Title(html)} ({HResults.Describe(hresult)})");
                return new CertsrvPage(SubmitStatus.Denied, requestId, message ?? Title(html), hresult);
            }
            if (requestId != null || message != null)
                return new CertsrvPage(SubmitStatus.Pending, requestId, message ?? "Taken Under Submission", 0);
            throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                $"The {what} says neither that the certificate was issued, nor a request id, nor an error code. Page title: '{Title(html)}'.");
        }

        public static int? ReadRenewalCount(string html)
        {
            if (Renewals.Match(html) is not { Success: true } m) return null;
            return int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count
                : throw new PscException("MalformedResponse", FailureCategory.InvalidData,
                    $"The CA certificate page gives nRenewals = {Shorten(m.Groups[1].Value)}, which is not a renewal count.");
        }

        private static string Shorten(string text) => text.Length <= 24 ? text : text.Substring(0, 24) + "…";

        private static string? Disposition(string text) =>
            DispositionText.Match(text) is { Success: true } m ? m.Groups[1].Value.Trim()
            : DispositionLine.Match(text) is { Success: true } line ? line.Groups[1].Value.Trim()
            : null;

        // Title and PlainText scan with IndexOf rather than lazy regexes: on a page of unclosed <title> or <script
        // tags those backtrack from every opening (quadratic: an 80 KB page took minutes).
        public static string Title(string html)
        {
            int open = html.IndexOf("<title>", StringComparison.OrdinalIgnoreCase);
            int close = open < 0 ? -1 : html.IndexOf("</title>", open + 7, StringComparison.OrdinalIgnoreCase);
            return close < 0 ? "(no title)" : WebUtility.HtmlDecode(html.Substring(open + 7, close - open - 7).Trim());
        }

        /// <summary>The page's text for the patterns above: scripts dropped, each tag a line break, entities decoded, runs of blanks one space.</summary>
        private static string PlainText(string html)
        {
            var text = new StringBuilder(html.Length);
            int pos = 0;
            bool scriptEndsLeft = true; // once no "</script>" follows, none follows any later opening either
            while (pos < html.Length)
            {
                int lt = html.IndexOf('<', pos);
                if (lt < 0) break;
                text.Append(html, pos, lt - pos);
                if (scriptEndsLeft && IsScriptStart(html, lt))
                {
                    int end = html.IndexOf("</script>", lt, StringComparison.OrdinalIgnoreCase);
                    if (end >= 0)
                    {
                        text.Append(' ');
                        pos = end + 9;
                        continue;
                    }
                    scriptEndsLeft = false;
                }
                int gt = html.IndexOf('>', lt);
                if (gt < 0)
                {
                    // An unclosed '<' is text, as is everything after it.
                    pos = lt;
                    break;
                }
                text.Append('\n');
                pos = gt + 1;
            }
            if (pos < html.Length) text.Append(html, pos, html.Length - pos);
            return Blanks.Replace(WebUtility.HtmlDecode(text.ToString()), " ");
        }

        private static readonly Regex Blanks = new(@"[ \t\u00a0]+", RegexOptions.CultureInvariant);

        /// <summary>"&lt;script" followed by a non-word character (the \b of the pattern this replaces).</summary>
        private static bool IsScriptStart(string html, int lt) =>
            string.Compare(html, lt, "<script", 0, 7, StringComparison.OrdinalIgnoreCase) == 0
            && (lt + 7 == html.Length || !(char.IsLetterOrDigit(html[lt + 7]) || html[lt + 7] == '_'));

        private static KeyValuePair<string, string> Pair(string key, string value) => new(key, value);
    }
}
