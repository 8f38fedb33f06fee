using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// What a terminal receives from certconnector when certificates and requests carry hostile names: escapes shown,
    /// never acted on; columns capped with an ellipsis; serials whole; the embedded CA refusing to sign such names.
    /// </summary>
    [Collection("cli")]
    public sealed class CliTerminalSafetyTests : IDisposable
    {
        private readonly TempHome _home = new();

        public void Dispose() => _home.Dispose();

        private (int Exit, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(_home.Path, args);

        private static void NoRawControls(string text) =>
            text.Where(c => DisplayText.IsControl(c) && c is not '\n' and not '\r').Should().BeEmpty("a terminal must not receive raw control characters");

        [Fact]
        public void A_hostile_request_is_denied_and_its_order_lists_escaped()
        {
            Cli("connector", "add", "--name", "lab", "--type", "local").Exit.Should().Be(0);
            var csr = _home.File("hostile.csr");
            File.WriteAllBytes(csr, HostileNames.Csr(HostileNames.CommonName("evil\u001b]0;owned\u0007\u001b[2J" + new string('A', 1024 * 1024))));

            var submit = Cli("submit", "--connector", "lab", "--template", "WebServer", "--csr", csr);
            submit.Err.Should().Contain("Denied by Policy Module: The Subject's CN is 1048594 characters long; at most 64 are allowed");
            NoRawControls(submit.Out + submit.Err);
            Cli("cert", "list").Out.Should().BeEmpty("nothing was signed");

            var list = Cli("order", "list");
            list.Exit.Should().Be(0);
            NoRawControls(list.Out);
            list.Out.Should().Contain("evil\\x1B]0;owned\\x07\\x1B[2J");
            list.Out.Length.Should().BeLessThan(1000, "one row of capped columns, not a mebibyte");
            list.Out.Split('\n').Max(l => l.Length).Should().BeLessThan(200);
        }

        [Fact]
        public void Certificates_a_remote_ca_signed_with_hostile_names_list_escaped_and_cut_with_the_serial_whole()
        {
            Cli("connector", "add", "--name", "lab", "--type", "local").Exit.Should().Be(0);
            string serial;
            using (var workspace = Workspace.Open(_home.Path))
            {
                // As an import from a CA that signs anything would store it.
                var der = HostileNames.Certificate(HostileNames.CommonName("\u202Ecod.exe\u001b[8m" + new string('W', 5000)));
                workspace.Store.UpsertCertificate(new InventoryStore.CertificateUpsert(der, "lab", CertificateSource.Imported, "WebServer", "7",
                    "IT\u001b[31m", new[] { "tag\u0007" }, null, null));
                serial = workspace.Store.QueryCertificates(new CertificateQuery()).Single().SerialNumber;
            }

            var list = Cli("cert", "list");
            list.Exit.Should().Be(0, list.Err);
            NoRawControls(list.Out);
            list.Out.Should().Contain("\\u202Ecod.exe\\x1B[8mWWW").And.Contain("…").And.Contain(serial);
            list.Out.Should().Contain("IT\\x1B[31m").And.Contain("tag\\x07");
            list.Out.Split('\n').Max(l => l.Length).Should().BeLessThan(260, "every column but the serial is capped");

            var show = Cli("cert", "show", serial);
            NoRawControls(show.Out);
            Cli("cert", "list", "--json").Out.Should().Contain("\\u202Ecod.exe\\u001B[8m", "JSON carries the whole value, escaped by JSON's own rules");
        }

        [Fact]
        public void Errors_and_warnings_quoting_bad_input_escape_it()
        {
            var inf = _home.File("bad.inf");
            File.WriteAllText(inf, "[NewRequest]\nSubject = \"CN=x\u001b[2J\"\nKeyLength = 2048\nUnknown\u001b[5mKey = 1\n");
            var result = Cli("request", "new", "--inf", inf, "--out", _home.File("bad.csr"));
            result.Exit.Should().Be(1);
            NoRawControls(result.Err);
            result.Err.Should().Contain("\\x1B");

            var subject = Cli("request", "new", "--subject", "CN=" + new string('z', 200_000) + "\u001b", "--out", _home.File("long.csr"));
            subject.Exit.Should().Be(1);
            NoRawControls(subject.Err);
            subject.Err.Length.Should().BeLessThan(PscException.MaxMessageLength + 100);
        }
    }
}
