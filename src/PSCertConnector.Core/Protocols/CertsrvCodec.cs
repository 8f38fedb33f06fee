using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using PSCertConnector.Core.Connectors;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core;

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

        private static readonly Regex IssuedLink = new(@"certnew\.(?:cer|p7b)\?ReqID=(\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex RequestIdText = new(@"Request\s+Id\s+is\s+(\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        // certfnsh.asp says: The disposition message is "…"; certnew.cer's error page says: Disposition message:<tabs>…
        private static readonly Regex DispositionText = new("disposition message is \"([^\"]*)\"", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex DispositionLine = new(@"Disposition message:[ \t]*([^\r\n<]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex HResultText = new(@"\b0x(8[0-9a-fA-F]{7})\b", RegexOptions.CultureInvariant);
        private static readonly Regex Renewals = new(@"nRenewals\s*=\s*(\d+)", RegexOptions.CultureInvariant);

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

        public static int? ReadRenewalCount(string html) =>
            Renewals.Match(html) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

        private static string? Disposition(string text) =>
            DispositionText.Match(text) is { Success: true } m ? m.Groups[1].Value.Trim()
            : DispositionLine.Match(text) is { Success: true } line ? line.Groups[1].Value.Trim()
            : null;

        public static string Title(string html)
        {
            var m = Regex.Match(html, @"<title>\s*(.*?)\s*</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline);
            return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : "(no title)";
        }

        /// <summary>The page's text for the patterns above: scripts dropped, each tag a line break, entities decoded, runs of blanks one space.</summary>
        private static string PlainText(string html)
        {
            var noScript = Regex.Replace(html, @"<script\b.*?</script>", " ", RegexOptions.IgnoreCase | RegexOptions.Singleline);
            var noTags = Regex.Replace(noScript, "<[^>]*>", "\n");
            return Regex.Replace(WebUtility.HtmlDecode(noTags), @"[ \t\u00a0]+", " ");
        }

        private static KeyValuePair<string, string> Pair(string key, string value) => new(key, value);
    }
}
