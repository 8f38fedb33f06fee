using System.Text;
using FluentAssertions;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Store;
using PSCertConnector.Lab;
using PSCertConnector.Tests;
using Xunit;

namespace PSCertConnector.Integration.Tests
{
    /// <summary>One Lab CA and one running Lab server over HTTPS on loopback, shared by a test class.</summary>
    public sealed class LabFixture : IAsyncLifetime
    {
        public const string User = "labuser";
        public const string Password = "Lab-Pa55word!";
        public const string ApiKey = "lab-api-key-0123456789";
        private readonly TempHome _labHome = new();

        public LabAuthority Authority { get; private set; } = null!;
        public LabServer Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Authority = LabAuthority.OpenOrCreate(_labHome.Path);
            Server = await StartAsync();
        }

        /// <summary>Another server over the same CA (failover partners, slow servers).</summary>
        public Task<LabServer> StartAsync(TimeSpan delay = default) =>
            LabServer.StartAsync(Authority, new LabOptions { Users = new Dictionary<string, string> { [User] = Password }, ApiKey = ApiKey, ResponseDelay = delay });

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            Authority.Dispose();
            _labHome.Dispose();
        }

        /// <summary>The connector types a test opens Lab connectors with: the production ones, plus the Lab's CA-manager decisions.</summary>
        public Core.Connectors.ConnectorRegistry Registry => LabApproval.Registry(Authority);

        /// <summary>Settings for a connector to a Lab server that trusts the Lab's CA bundle.</summary>
        public Dictionary<string, string> Settings(LabServer server, params (string Key, string Value)[] extra)
        {
            var settings = new Dictionary<string, string>
            {
                ["host"] = "localhost",
                ["port"] = server.BaseUri.Port.ToString(),
                ["user"] = User,
                ["caBundle"] = Authority.BundlePath,
            };
            foreach (var (key, value) in extra) settings[key] = value;
            return settings;
        }

        public static byte[] Secret(string password = Password) => Encoding.UTF8.GetBytes(password);

        public static ConnectorDefinition AddConnector(Workspace workspace, string name, string type, Dictionary<string, string> settings, byte[]? secret,
            string? domain = null, int priority = 5, string? businessUnit = null)
        {
            var sink = new RecordingSink();
            new ConnectorOperations(workspace, sink).Add(new ConnectorDefinition { Name = name, Type = type, Settings = settings, Domain = domain, Priority = priority, BusinessUnit = businessUnit }, secret);
            sink.Errors.Should().BeEmpty(string.Join("; ", sink.Errors.Select(e => e.Message)));
            return sink.Single<ConnectorDefinition>();
        }

        /// <summary>A client-authentication (RA template) certificate from the Lab CA, written with its key to a PFX.</summary>
        public string IssueClientPfx(string path, string commonName, string password)
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var issued = Authority.Ca.Submit(NewCsr(commonName, key), "RA", new Dictionary<string, string>());
            File.WriteAllBytes(path, Pkcs12Writer.Write(issued.Certificate!, issued.Chain, key, password, commonName));
            return path;
        }

        public static byte[] NewCsr(string commonName, AsymmetricKey? key = null)
        {
            using var owned = key == null ? AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048) : null;
            return CsrBuilder.Build(new RequestSpec
            {
                Subject = "CN=" + commonName,
                SubjectAlternativeNames = new[] { new SubjectAlternativeName(SanType.Dns, commonName) },
            }, key ?? owned!);
        }
    }
}
