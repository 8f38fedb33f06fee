using System;
using System.Text;
using System.Text.RegularExpressions;
using PSCertConnector.Core.Protocols;

namespace PSCertConnector.Core.Connectors.Adcs
{
    /// <summary>
    /// The NDES administration page (/certsrv/mscep_admin/): it hands an account allowed to enroll on others' behalf a
    /// one-time challenge password, as hex digits in bold after "The enrollment challenge password is:". The page is
    /// UTF-16 on Windows; its refusals (permission, a full password cache) are plain text on the same page.
    /// </summary>
    internal static class NdesChallengePage
    {
        private static readonly Regex Challenge = new Regex(@"challenge\s+password\s+is:?\s*(?:<[^>]*>\s*)*([0-9A-Fa-f]{8,64})\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        /// <summary>The bold 16-hex-digit value a localized page shows where the English one says "challenge password is:" (the CA thumbprint beside it is longer).</summary>
        private static readonly Regex BoldChallenge = new Regex(@"<B>\s*([0-9A-Fa-f]{16})\s*</B>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        public static string Read(HttpReply reply, string connector)
        {
            var text = Decode(reply.Body);
            var match = Challenge.Match(text);
            if (!match.Success) match = BoldChallenge.Match(text);
            if (match.Success) return match.Groups[1].Value.ToUpperInvariant();
            var host = reply.Uri.Host;
            if (text.IndexOf("password cache is full", StringComparison.OrdinalIgnoreCase) >= 0)
                throw new ServiceUnavailableException("NdesPasswordCacheFull", FailureCategory.InvalidOperation,
                    $"NDES on {host} has handed out as many unused challenge passwords as it keeps (its password cache is full): wait for some to expire (60 minutes by default), " +
                    "or raise PasswordMax under HKLM\\Software\\Microsoft\\Cryptography\\MSCEP on the NDES server.") { Target = reply.Uri.GetLeftPart(UriPartial.Path) };
            if (text.IndexOf("sufficient permission", StringComparison.OrdinalIgnoreCase) >= 0)
                throw new PscException("NdesPermissionDenied", FailureCategory.PermissionDenied,
                    $"NDES on {host} refused connector '{connector}''s account a challenge password: it needs Enroll permission on NDES's template and, " +
                    "on NDES, membership of the CA's enrollment agents (or the local administrators).") { Target = reply.Uri.GetLeftPart(UriPartial.Path) };
            throw new PscException("NdesChallengeNotFound", FailureCategory.InvalidData,
                $"The NDES page on {host} ({reply.Uri.AbsolutePath}) holds no challenge password: '{CertsrvCodec.Title(text)}'. Check the connector's adminPath, " +
                "and that NDES is set to hand out challenges (UseSinglePassword and EnforcePassword in the MSCEP registry key).") { Target = reply.Uri.GetLeftPart(UriPartial.Path) };
        }

        /// <summary>UTF-16 with a byte-order mark (what Windows serves), else UTF-8.</summary>
        private static string Decode(byte[] body) =>
            body.Length >= 2 && body[0] == 0xFF && body[1] == 0xFE ? Encoding.Unicode.GetString(body, 2, body.Length - 2)
            : body.Length >= 2 && body[0] == 0xFE && body[1] == 0xFF ? Encoding.BigEndianUnicode.GetString(body, 2, body.Length - 2)
            : Encoding.UTF8.GetString(body);
    }
}
