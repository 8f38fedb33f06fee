using System.Management.Automation;
using FluentAssertions;
using Xunit;

namespace PSCertConnector.PowerShell.Tests
{
    /// <summary>The cmdlets as PowerShell runs them: pipelines, ShouldProcess, error records, progress, output types.</summary>
    [Collection("powershell")]
    public sealed class CmdletBehaviourTests : IDisposable
    {
        private readonly HostedModule _ps = new HostedModule();

        public void Dispose() => _ps.Dispose();

        private const string Issue = "New-RaCertificateRequest -Subject 'CN=web01,O=Contoso' -Exportable | Submit-AdcsRequest -Connector lab -Template RA | Receive-AdcsCertificate";

        private void EmbeddedCa() => _ps.Ok("New-CaConnector -Name lab -Type local | Out-Null");

        [Fact]
        public void A_request_binds_to_submit_by_property_name_and_the_order_to_receive()
        {
            EmbeddedCa();
            var certificate = _ps.Ok(Issue).Should().ContainSingle().Subject;
            certificate.BaseObject.GetType().FullName.Should().Be("PSCertConnector.Core.Store.CertificateRecord");
            certificate.Properties["Subject"].Value.Should().Be("CN=web01,O=Contoso");
            certificate.Properties["HasPrivateKey"].Value.Should().Be(true);
        }

        [Fact]
        public void Connectors_bind_to_template_and_import_cmdlets_by_their_name()
        {
            EmbeddedCa();
            _ps.Ok("Get-CaConnector | Get-CaTemplate").Select(t => (string)t.Properties["Name"].Value)
                .Should().Contain(new[] { "RA", "WebServer", "WebServerApproval" });
            _ps.Ok(Issue);
            var run = _ps.Ok("Get-CaConnector -Name lab | Import-CaCertificate").Should().ContainSingle().Subject;
            run.Properties["Status"].Value.ToString().Should().Be("Succeeded");
        }

        [Fact]
        public void Output_objects_have_readable_type_names_and_are_what_OutputType_declares()
        {
            EmbeddedCa();
            var cases = new (string Script, string Cmdlet, string TypeName)[]
            {
                ("Get-CaConnector", "Get-CaConnector", "PSCertConnector.Connector"),
                ("Get-CaTemplate lab", "Get-CaTemplate", "PSCertConnector.Template"),
                ("New-RaCertificateRequest -Subject 'CN=a'", "New-RaCertificateRequest", "PSCertConnector.CertificateRequest"),
                ("New-RaCertificateRequest -Subject 'CN=b' | Submit-AdcsRequest -Connector lab -Template RA", "Submit-AdcsRequest", "PSCertConnector.Order"),
                ("Get-AdcsOrder", "Get-AdcsOrder", "PSCertConnector.Order"),
                ("Get-AdcsOrder | Receive-AdcsCertificate", "Receive-AdcsCertificate", "PSCertConnector.Certificate"),
                ("Test-CaConnector lab", "Test-CaConnector", "PSCertConnector.ConnectorTest"),
                ("Import-CaCertificate lab", "Import-CaCertificate", "PSCertConnector.ImportRun"),
            };
            foreach (var (script, cmdlet, typeName) in cases)
            {
                var output = _ps.Ok(script);
                output.Should().NotBeEmpty(script);
                var declared = _ps.Ok($"(Get-Command {cmdlet}).OutputType.Type.FullName").Select(o => o.ToString()).ToList();
                foreach (var item in output)
                {
                    item.TypeNames[0].Should().Be(typeName, script);
                    declared.Should().Contain(item.BaseObject.GetType().FullName, $"{cmdlet} declares [OutputType] {string.Join(", ", declared)}");
                }
            }
            _ps.Ok("(Get-CaConnector | Get-Member)[0].TypeName").Single().ToString().Should().Be("PSCertConnector.Connector");
        }

        [Fact]
        public void WhatIf_changes_nothing_and_says_what_it_would_do()
        {
            _ps.Ok("New-CaConnector -Name lab -Type local -WhatIf");
            _ps.Ok("Get-CaConnector").Should().BeEmpty();
            Directory.Exists(Path.Combine(_ps.Home, "ca", "lab")).Should().BeFalse("no CA keys are made under -WhatIf");
            _ps.Host.Lines.Should().Contain(l => l.Contains("What if:") && l.Contains("lab"));

            EmbeddedCa();
            _ps.Ok(Issue);
            _ps.Ok("Get-CaCertificate | Revoke-Certificate -Reason KeyCompromise -WhatIf");
            _ps.Ok("(Get-CaCertificate).Status.ToString()").Single().ToString().Should().Be("Valid");
        }

        [Fact]
        public void A_high_impact_cmdlet_asks_first_and_a_no_leaves_the_certificate_valid()
        {
            EmbeddedCa();
            _ps.Ok(Issue);
            _ps.Host.Answer = "No";
            _ps.Ok("Get-CaCertificate | Revoke-Certificate -Reason Superseded");
            _ps.Host.Prompts.Should().ContainSingle().Which.Should().Contain("Revoke");
            _ps.Ok("(Get-CaCertificate).Status.ToString()").Single().ToString().Should().Be("Valid");

            _ps.Host.Answer = "Yes";
            _ps.Ok("Get-CaCertificate | Revoke-Certificate -Reason Superseded");
            _ps.Ok("(Get-CaCertificate).Status.ToString()").Single().ToString().Should().Be("Revoked");
        }

        [Fact]
        public void Confirm_false_never_prompts_even_where_prompting_is_impossible()
        {
            EmbeddedCa();
            _ps.Ok(Issue);
            _ps.Host.Answer = null; // any prompt fails the test
            _ps.Ok("Get-CaCertificate | Revoke-Certificate -Reason KeyCompromise -Confirm:$false");
            _ps.Host.Prompts.Should().BeEmpty();
        }

        [Fact]
        public void An_error_record_carries_the_typed_exception_its_id_category_and_target()
        {
            var result = _ps.Run("Get-CaTemplate -Connector nosuch");
            var error = result.Errors.Should().ContainSingle().Subject;
            error.Exception.GetType().FullName.Should().Be("PSCertConnector.Core.PscException");
            error.FullyQualifiedErrorId.Should().Be("ConnectorNotFound,PSCertConnector.Commands.GetCaTemplateCommand");
            error.CategoryInfo.Category.Should().Be(ErrorCategory.ObjectNotFound);
            error.TargetObject.Should().Be("nosuch");
            error.Exception.Message.Should().Contain("Get-CaConnector").And.NotContain("'connector list'", "PowerShell users are pointed at cmdlets");

            _ps.Ok("try { Get-CaTemplate -Connector nosuch -ErrorAction Stop } catch [PSCertConnector.Core.PscException] { $_.Exception.ErrorId }")
                .Single().ToString().Should().Be("ConnectorNotFound");
        }

        [Fact]
        public void A_bad_item_in_a_pipeline_is_one_non_terminating_error_and_the_rest_go_on()
        {
            EmbeddedCa();
            _ps.Ok(Issue);
            _ps.Ok(Issue.Replace("web01", "web02"));
            var result = _ps.Run(@"$s = (Get-CaCertificate).SerialNumber
                @($s[0], 'ABCDEF0123', $s[1]) | ForEach-Object { [pscustomobject]@{ SerialNumber = $_ } } | Revoke-Certificate -Reason Superseded -Confirm:$false");
            result.Output.Should().HaveCount(2);
            result.Errors.Should().ContainSingle().Which.FullyQualifiedErrorId.Should().StartWith("CertificateNotFound,");
        }

        [Fact]
        public void Import_reports_progress_and_completes_it()
        {
            EmbeddedCa();
            _ps.Ok(Issue);
            var result = _ps.Run("Import-CaCertificate lab");
            result.Errors.Should().BeEmpty();
            result.Progress.Should().NotBeEmpty();
            result.Progress.Last().RecordType.Should().Be(ProgressRecordType.Completed);
            result.Progress.First().Activity.Should().Contain("lab");
        }

        [Fact]
        public void Reading_before_anything_exists_creates_no_home_and_unknown_connectors_are_named()
        {
            _ps.Ok("Get-CaConnector").Should().BeEmpty();
            _ps.Ok("Get-CaCertificate").Should().BeEmpty();
            _ps.Ok("Get-AdcsOrder").Should().BeEmpty();
            _ps.Ok("(TabExpansion2 -inputScript 'Get-CaTemplate -Connector ' -cursorColumn 26).CompletionMatches.Count");
            Directory.Exists(_ps.Home).Should().BeFalse("looking, completion included, never leaves a folder or database behind");
            _ps.Run("Get-CaCertificate -Connector nosuch").Errors.Should().ContainSingle()
                .Which.FullyQualifiedErrorId.Should().StartWith("ConnectorNotFound,");
        }

        [Fact]
        public void A_plain_name_matches_exactly_and_wildcards_only_when_given()
        {
            EmbeddedCa();
            foreach (var name in new[] { "c1", "c10", "c11" })
                _ps.Ok(Issue.Replace("web01", name));
            _ps.Ok("Get-CaCertificate -Name c1").Select(c => (string)c.Properties["CommonName"].Value).Should().Equal("c1");
            _ps.Ok("Get-CaCertificate -Name 'c1*'").Should().HaveCount(3);
            _ps.Ok("Get-CaCertificate -Name C10").Select(c => (string)c.Properties["CommonName"].Value).Should().Equal("c10");
        }

        [Fact]
        public void Completion_offers_the_key_lengths_of_the_chosen_algorithm_and_the_connectors_that_exist()
        {
            string[] Complete(string line) => _ps.Ok($"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches.CompletionText")
                .Where(o => o != null).Select(o => o.ToString()).ToArray();
            Complete("New-RaCertificateRequest -KeyLength ").Should().Equal("2048", "3072", "4096");
            Complete("New-RaCertificateRequest -KeyAlgorithm EcdsaP384 -KeyLength ").Should().Equal("384");
            EmbeddedCa();
            _ps.Ok("New-CaConnector -Name lab2 -Type local | Out-Null");
            Complete("Get-CaTemplate -Connector la").Should().Equal("lab", "lab2");
            _ps.Ok("Get-CaTemplate lab | Out-Null"); // completion reads the template cache, never the CA
            Complete("Get-CaTemplate -Connector lab -Template Web").Should().Equal("WebServer", "WebServerApproval");
        }

        [Fact]
        public void The_Intune_subject_format_builds_the_subject_without_prompting()
        {
            _ps.Host.Answer = null;
            var request = _ps.Ok("New-RaCertificateRequest -IntuneSubjectFormat CommonNameAsEmail -Email 'ann@contoso.com' -Upn 'ann@contoso.com'").Should().ContainSingle().Subject;
            ((string)request.Properties["Subject"].Value).Should().Contain("ann@contoso.com");
            _ps.Host.Prompts.Should().BeEmpty();
        }

        [Fact]
        public void Intune_parameters_without_a_subject_format_are_refused_by_their_cmdlet_names()
        {
            var error = _ps.Run("New-RaCertificateRequest -Subject 'CN=ann' -Upn 'ann@contoso.com' -NoEmailSan").Errors.Should().ContainSingle().Subject;
            error.FullyQualifiedErrorId.Should().StartWith("IntuneRulesNotSelected,");
            error.Exception.Message.Should().Be("-Upn and -NoEmailSan belong to the Intune rules: add -IntuneSubjectFormat CommonName, CommonNameAndEmail or CommonNameAsEmail.");
        }

        [Fact]
        public void Orders_named_by_id_go_on_past_one_that_does_not_exist()
        {
            EmbeddedCa();
            var order = _ps.Ok("New-RaCertificateRequest -Subject 'CN=web01,O=Contoso' | Submit-AdcsRequest -Connector lab -Template RA").Should().ContainSingle().Subject;
            var result = _ps.Run($"Remove-AdcsOrder -Id 9999, {order.Properties["Id"].Value} -Confirm:$false");
            result.Errors.Should().ContainSingle().Which.Exception.Message.Should().Be("There is no order 9999.");
            _ps.Ok("Get-AdcsOrder").Should().BeEmpty("the order that exists is removed");
        }

        [Fact]
        public void Export_refuses_to_overwrite_without_Force_and_writes_a_key_owner_only()
        {
            EmbeddedCa();
            _ps.Ok(Issue);
            var pfx = Path.Combine(_ps.Home, "web01.pfx");
            var exported = _ps.Ok($"Get-CaCertificate | Export-CaCertificate -Format Pfx -FilePath '{pfx}' -Password (ConvertTo-SecureString 'Pfx-Pa55' -AsPlainText -Force)")
                .Should().ContainSingle().Subject;
            exported.TypeNames[0].Should().Be("PSCertConnector.ExportedFile");
            exported.Properties["IncludesPrivateKey"].Value.Should().Be(true);
            if (!OperatingSystem.IsWindows())
                File.GetUnixFileMode(pfx).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var before = File.ReadAllBytes(pfx);

            var again = _ps.Run($"Get-CaCertificate | Export-CaCertificate -Format Pem -FilePath '{pfx}'");
            again.Errors.Should().ContainSingle().Which.FullyQualifiedErrorId.Should().StartWith("FileExists,");
            File.ReadAllBytes(pfx).Should().Equal(before, "the existing file stays as it was");

            _ps.Ok($"Get-CaCertificate | Export-CaCertificate -Format Pem -FilePath '{pfx}' -Force").Should().ContainSingle();
            var mistyped = Path.Combine(_ps.Home, "no-such-folder", "web01.pem");
            _ps.Run($"Get-CaCertificate | Export-CaCertificate -FilePath '{mistyped}'").Errors.Should().ContainSingle()
                .Which.FullyQualifiedErrorId.Should().StartWith("FolderNotFound,");
            Directory.Exists(Path.GetDirectoryName(mistyped)).Should().BeFalse("a mistyped path makes no folders");
            File.ReadAllText(pfx).Should().StartWith("-----BEGIN CERTIFICATE-----");
        }
    
        [Fact]
        public void Stopping_a_pipeline_ends_it_promptly_and_leaves_every_finished_order_whole()
        {
            EmbeddedCa();
            var took = _ps.RunAndStop(
                "1..500 | ForEach-Object { New-RaCertificateRequest -Subject \"CN=stop$_\" } | Submit-AdcsRequest -Connector lab -Template RA | Receive-AdcsCertificate",
                TimeSpan.FromSeconds(3));
            took.Should().BeLessThan(TimeSpan.FromSeconds(10));
            var orders = _ps.Ok("Get-AdcsOrder");
            orders.Count.Should().BeInRange(1, 499, "some requests ran and the stop came before the end");
            foreach (var order in orders.Where(o => o.Properties["Status"].Value.ToString() == "Issued"))
                ((byte[]?)order.Properties["Certificate"].Value).Should().NotBeNullOrEmpty("an issued order keeps its certificate");
            _ps.Ok("Get-CaConnector").Should().ContainSingle("the workspace is usable after the stop");
        }
    }
}
