using FluentAssertions;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Tests;
using Xunit;
using PSCertConnector.Core;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>
    /// Runs only where a real AD CS is reachable over DCOM: a Windows host with PSC_TEST_CA_CONFIG set to the CA's
    /// configuration string (host\CA name) and PSC_TEST_CA_TEMPLATE to a template the account may enroll for.
    /// Elsewhere each test is reported as skipped with the reason.
    /// </summary>
    public sealed class WindowsCaFactAttribute : FactAttribute
    {
        public WindowsCaFactAttribute()
        {
            if (!OperatingSystem.IsWindows())
                Skip = "Needs Windows: the adcs-dcom connector uses the CertCli/CertAdm COM objects.";
            else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PSC_TEST_CA_CONFIG")) || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PSC_TEST_CA_TEMPLATE")))
                Skip = "Set PSC_TEST_CA_CONFIG (host\\CA name) and PSC_TEST_CA_TEMPLATE to run against a real CA.";
        }
    }

    public sealed class WindowsCaTests : IDisposable
    {
        private readonly TempHome _home = new();
        private readonly Workspace _workspace;

        public WindowsCaTests()
        {
            _workspace = Workspace.Open(_home.Path);
        }

        public void Dispose()
        {
            _workspace.Dispose();
            _home.Dispose();
        }

        private ConnectorDefinition AddRealCa()
        {
            var sink = new RecordingSink();
            new ConnectorOperations(_workspace, sink).Add(new ConnectorDefinition
            {
                Name = "real", Type = "adcs-dcom", Settings = new Dictionary<string, string> { ["config"] = Environment.GetEnvironmentVariable("PSC_TEST_CA_CONFIG")! },
            }, null);
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            return sink.Single<ConnectorDefinition>();
        }

        [WindowsCaFact]
        public void The_real_ca_answers_lists_templates_and_issues_or_holds_a_request()
        {
            var definition = AddRealCa();
            var connector = _workspace.Connect(definition);
            connector.Test(default).Success.Should().BeTrue();
            var template = Environment.GetEnvironmentVariable("PSC_TEST_CA_TEMPLATE")!;
            connector.GetTemplates(default).Select(t => t.Name).Should().Contain(template);

            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=psc-windows-test.contoso.com" }, key);
            var result = connector.Submit(csr, template, new Dictionary<string, string>(), default);
            result.Status.Should().BeOneOf(SubmitStatus.Issued, SubmitStatus.Pending, SubmitStatus.Denied);
            result.RequestId.Should().NotBeNull();
            connector.GetRequest(result.RequestId!, null, default).RequestId.Should().Be(result.RequestId);
        }

        [WindowsCaFact]
        public void The_real_ca_database_reads_in_pages()
        {
            var definition = AddRealCa();
            var page = _workspace.Connect(definition).EnumerateIssued(null, 5, default);
            page.Items.Count.Should().BeLessThanOrEqualTo(5);
            page.Items.Should().OnlyContain(i => CertificateReader.Read(i.Certificate).SerialNumber.Length > 0);
        }
    }
}
