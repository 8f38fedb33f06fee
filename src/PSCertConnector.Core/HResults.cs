using System.Collections.Generic;

namespace PSCertConnector.Core
{
    /// <summary>
    /// The HRESULTs administrators meet, keyed by number (never by the CA's text, which is localised), with
    /// what to do about each.
    /// </summary>
    public static class HResults
    {
        private static readonly Dictionary<uint, (string Name, string Advice)> Known = new()
        {
            [0x80094014] = ("CERTSRV_E_ADMIN_DENIED_REQUEST", "A CA manager denied the request."),
            [0x80094801] = ("CERTSRV_E_NO_CERT_TYPE", "The request names no certificate template: give one."),
            [0x80094800] = ("CERTSRV_E_UNSUPPORTED_CERT_TYPE", "The CA does not issue this template: publish it on the CA or pick another."),
            [0x800706BA] = ("RPC_S_SERVER_UNAVAILABLE", "The CA could not be reached over RPC: check the CA service, the host name and the firewall."),
            [0x80094004] = ("CERTSRV_E_PROPERTY_EMPTY", "The CA has no request with that id."),
            [0x80094003] = ("CERTSRV_E_BAD_REQUESTSTATUS", "The request is not in a state that allows this (for example, it is no longer pending)."),
            [0x80094015] = ("CERTSRV_E_ENROLL_DENIED", "The enrollment policy server was not found or denied enrollment."),
            [0x80094811] = ("CERTSRV_E_KEY_LENGTH", "The key is shorter than the template's minimum: generate a longer key."),
            [0x80094001] = ("CERTSRV_E_BAD_REQUESTSUBJECT", "The request's subject is missing or not allowed by the template."),
            [0x80070005] = ("E_ACCESSDENIED", "Access denied: the account lacks the CA permission this needs."),
        };

        public static string Describe(int hresult)
        {
            var key = unchecked((uint)hresult);
            return Known.TryGetValue(key, out var known)
                ? $"{known.Advice} ({known.Name}, 0x{key:X8})"
                : $"0x{key:X8}";
        }

        public static string? Name(int hresult) =>
            Known.TryGetValue(unchecked((uint)hresult), out var known) ? known.Name : null;
    }
}
