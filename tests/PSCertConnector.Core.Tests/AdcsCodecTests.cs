using System.Text;
using System.Xml.Linq;
using FluentAssertions;
using PSCertConnector.Core;
using PSCertConnector.Core.Pkix;
using PSCertConnector.Core.Protocols;
using Xunit;

namespace PSCertConnector.Tests
{
    /// <summary>
    /// The MS-XCEP/MS-WSTEP and /certsrv codecs on message samples from the specifications (Samples/adcs, see
    /// its README for what each sample is and what was repaired) and on the malformed input a server may send.
    /// </summary>
    public sealed class AdcsCodecTests
    {
        private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", "adcs", name));
        private static XDocument Doc(string name) => SafeXml.Parse(Sample(name), name);

        [Fact]
        public void GetPolicies_response_from_the_spec_gives_templates_with_their_attributes()
        {
            var policy = XcepCodec.ReadResponse(Doc("xcep-getpolicies-response.xml"));
            policy.NextUpdateHours.Should().Be(8);
            policy.PoliciesNotChanged.Should().BeFalse();
            policy.Policies.Select(p => p.Template.Name).Should().Equal("EFS", "ContosoWebServer");

            var efs = policy.Policies[0].Template;
            efs.DisplayName.Should().Be("Basic EFS", "the display name is the defaultName of the group 9 oID");
            efs.Validity.Should().Be(TimeSpan.FromDays(365));
            efs.MinimumKeySize.Should().Be(2048);
            efs.RequiresApproval.Should().BeFalse("nil flags are no flags");
            efs.ExtendedKeyUsages.Should().Contain(Oids.ClientAuth);

            var web = policy.Policies[1];
            web.Template.RequiresApproval.Should().BeTrue("enrollmentFlags carries CT_FLAG_PEND_ALL_REQUESTS");
            web.Template.SubjectFromRequest.Should().BeTrue();
            web.Template.MinimumKeySize.Should().Be(3072);
            web.Template.Validity.Should().Be(TimeSpan.FromDays(730));
            web.Template.SchemaVersion.Should().Be(3);
            web.CaReferences.Should().Equal(0);
        }

        [Fact]
        public void Ces_uri_is_chosen_by_authentication_and_priority_skipping_renewal_only()
        {
            var policy = XcepCodec.ReadResponse(Doc("xcep-getpolicies-response.xml"));
            CertificateReader.Read(policy.CertificationAuthorities.Single().Certificate!).Subject.Should().Contain("FB_EntRootCA");

            var kerberos = policy.EnrollmentUris(AdcsAuthentication.Kerberos).Select(x => x.Uri.Uri.Host).ToList();
            kerberos.Should().Equal("9-1351c1223a.dom9-1351c1223a.nttest.microsoft.com", "ces2.contoso.com");
            policy.EnrollmentUris(AdcsAuthentication.Kerberos, renewing: true).First().Uri.Uri.Host.Should().Be("ces-renew.contoso.com");
            policy.EnrollmentUris(AdcsAuthentication.UsernamePassword).Single().Uri.Uri.AbsolutePath.Should().Contain("_CES_UsernamePassword");
        }

        [Fact]
        public void A_policies_not_changed_answer_has_no_templates()
        {
            var policy = XcepCodec.ReadResponse(Doc("xcep-getpolicies-response-notchanged.xml"));
            policy.PoliciesNotChanged.Should().BeTrue();
            policy.Policies.Should().BeEmpty();
        }

        [Fact]
        public void Issued_response_from_the_spec_gives_the_leaf_and_its_ca_chain()
        {
            var response = WstepCodec.ReadResponse(Doc("wstep-issued-response.xml"));
            response.Issued.Should().BeTrue();
            response.RequestId.Should().Be("61");
            response.DispositionMessage.Should().Be("Issued");
            var leaf = CertificateReader.Read(response.Certificate!);
            leaf.CommonName.Should().Be("abby");
            leaf.SerialNumber.Should().Be("18D9D5D300000000003D");
            response.Chain.Select(c => CertificateReader.Read(c).CommonName).Should().BeEquivalentTo("FB_EntRootCA", "FB_EntSubCA");
        }

        [Fact]
        public void Pending_response_gives_the_request_id_and_where_to_poll()
        {
            var response = WstepCodec.ReadResponse(Doc("wstep-pending-response.xml"));
            response.Issued.Should().BeFalse();
            response.RequestId.Should().Be("65");
            response.ReferenceUri!.AbsolutePath.Should().Be("/EntRootCA_CES_Kerberos/service.svc/CES");
        }

        [Fact]
        public void Denied_fault_decodes_to_hresult_request_id_and_invalid_request()
        {
            var fault = SoapFault.TryRead(Doc("wstep-denied-fault.xml"))!;
            fault.HResult.Should().Be(-2146877420);
            unchecked((uint)fault.HResult!.Value).Should().Be(0x80094014);
            fault.RequestId.Should().Be("65");
            fault.InvalidRequest.Should().BeTrue();
            fault.IsAuthenticationFailure.Should().BeFalse();
            HResults.Describe(fault.HResult.Value).Should().Contain("CERTSRV_E_ADMIN_DENIED_REQUEST");
        }

        [Fact]
        public void A_fault_without_enrollment_detail_has_no_hresult()
        {
            var fault = SoapFault.TryRead(Doc("wstep-internal-fault.xml"))!;
            fault.HResult.Should().BeNull();
            fault.Subcode.Should().EndWith("InternalServiceFault");
            SoapFault.TryRead(Doc("wstep-issued-response.xml")).Should().BeNull();
        }

        [Fact]
        public void Our_issue_request_has_the_shape_of_the_spec_sample()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=shape" }, key);
            var to = new Uri("https://ces.contoso.com/Contoso%20CA_CES_UsernamePassword/service.svc/CES");
            var ours = XDocument.Parse(Encoding.UTF8.GetString(WstepCodec.BuildIssue(to, csr, "WebServer",
                new Dictionary<string, string> { ["SAN"] = "dns=a.contoso.com" }, new UsernameToken("CONTOSO\\svc", "pw"))));
            var spec = Doc("wstep-issue-request.xml");

            static IEnumerable<XName> BodyNames(XDocument d) =>
                d.Root!.Element(AdcsXml.Soap + "Body")!.Descendants().Select(e => e.Name).Distinct();
            BodyNames(ours).Should().Contain(BodyNames(spec).Where(n => n.LocalName != "RequestID"));

            var header = ours.Root!.Element(AdcsXml.Soap + "Header")!;
            header.Element(AdcsXml.Addressing + "Action")!.Value.Should().Be(AdcsXml.EnrollAction);
            header.Element(AdcsXml.Addressing + "To")!.Value.Should().Be(to.AbsoluteUri);
            var password = header.Element(AdcsXml.Wsse + "Security")!.Descendants(AdcsXml.Wsse + "Password").Single();
            password.Attribute("Type")!.Value.Should().EndWith("#PasswordText");

            var token = ours.Descendants(AdcsXml.Wsse + "BinarySecurityToken").Single();
            token.Attribute("EncodingType")!.Value.Should().EndWith("#base64binary", "servers reject #Base64Binary");
            token.Attribute("ValueType")!.Value.Should().Be(AdcsXml.Pkcs10ValueType);
            Convert.FromBase64String(token.Value).Should().Equal(csr);
            ours.Descendants(AdcsXml.Authorization + "ContextItem").Select(i => (string)i.Attribute("Name")!).Should().Equal("CertificateTemplate", "SAN");
        }

        [Fact]
        public void Our_query_and_policy_requests_carry_the_request_id_and_a_version_filter()
        {
            var query = XDocument.Parse(Encoding.UTF8.GetString(WstepCodec.BuildQueryTokenStatus(new Uri("https://ces/x"), "65", null)));
            query.Descendants(AdcsXml.Trust + "RequestType").Single().Value.Should().Be(AdcsXml.QueryTokenStatusRequestType);
            query.Descendants(AdcsXml.Wstep + "RequestID").Single().Value.Should().Be("65");
            query.Descendants(AdcsXml.Wsse + "Security").Should().BeEmpty("no token was given");

            var policies = XDocument.Parse(Encoding.UTF8.GetString(XcepCodec.BuildRequest(new Uri("https://cep/x"), null)));
            policies.Descendants(AdcsXml.Xcep + "clientVersion").Single().Value.Should().Be("6");
            policies.Descendants(AdcsXml.Xcep + "client").Should().ContainSingle("a GetPolicies without client is a fault");
        }

        [Fact]
        public void Unknown_elements_are_ignored_and_base64_line_breaks_tolerated()
        {
            var sample = Encoding.UTF8.GetString(Sample("wstep-issued-response.xml"));
            var text = sample.Replace("<RequestedSecurityToken>", "<FutureElement xmlns=\"urn:x\">ignored</FutureElement><RequestedSecurityToken>");
            var response = WstepCodec.ReadResponse(SafeXml.Parse(Encoding.UTF8.GetBytes(text), "test"));
            response.Issued.Should().BeTrue();

            // The same certificate whether its base64 is wrapped with CR LF (&#xD;) and spaces or written on one line.
            var oneLine = System.Text.RegularExpressions.Regex.Replace(sample, @"(&#xD;)?\n\s*(?=[A-Za-z0-9+/=])", "");
            WstepCodec.ReadResponse(SafeXml.Parse(Encoding.UTF8.GetBytes(oneLine), "test")).Certificate.Should().Equal(response.Certificate);
        }

        [Fact]
        public void Doctype_and_entities_are_refused_before_expansion()
        {
            var bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>" +
                       "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>&lol2;</s:Body></s:Envelope>";
            var act = () => SafeXml.Parse(Encoding.UTF8.GetBytes(bomb), "response");
            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("UnsafeResponse");

            var external = "<?xml version=\"1.0\"?><!DOCTYPE x SYSTEM \"file:///etc/passwd\"><x/>";
            act = () => SafeXml.Parse(Encoding.UTF8.GetBytes(external), "response");
            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("UnsafeResponse");
        }

        private static byte[] Nested(int depth, string leaf = "") =>
            Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<a>", depth)) + leaf + string.Concat(Enumerable.Repeat("</a>", depth)));

        [Fact]
        public void Nesting_up_to_the_depth_limit_parses_and_one_more_level_is_refused_unread()
        {
            SafeXml.Parse(Nested(30, "x"), "response").Root!.Value.Should().Be("x");
            SafeXml.Parse(Nested(SafeXml.MaxDepth), "response").Descendants().Count().Should().Be(SafeXml.MaxDepth);
            var act = () => SafeXml.Parse(Nested(SafeXml.MaxDepth + 1), "policy response");
            var error = act.Should().Throw<PscException>().Which;
            error.ErrorId.Should().Be("UnsafeResponse");
            error.Message.Should().Be("The policy response is nested deeper than 64 elements; it was refused unread (no CA service answers like that).");
        }

        [Fact]
        public void A_body_with_more_elements_than_the_limit_is_refused()
        {
            var flat = Encoding.UTF8.GetBytes("<r>" + string.Concat(Enumerable.Repeat("<a/>", SafeXml.MaxElements)) + "</r>");
            var act = () => SafeXml.Parse(flat, "response");
            act.Should().Throw<PscException>().Which.Message.Should().Contain("more than 500,000 elements");
        }

        [Fact]
        public void A_parse_stops_when_the_callers_time_is_up()
        {
            using var expired = new CancellationTokenSource();
            expired.Cancel();
            var act = () => SafeXml.Parse(Encoding.UTF8.GetBytes("<r>" + string.Concat(Enumerable.Repeat("<a/>", 5000)) + "</r>"), "response", expired.Token);
            act.Should().Throw<OperationCanceledException>();
        }

        [Theory]
        [InlineData("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><Get")]
        [InlineData("{\"error\": \"json\"}")]
        [InlineData("")]
        public void Truncated_and_non_xml_bodies_are_malformed_responses(string body)
        {
            var act = () => SafeXml.Parse(Encoding.UTF8.GetBytes(body), "response");
            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("MalformedResponse");
        }

        [Fact]
        public void A_soap_envelope_with_the_wrong_content_names_what_was_expected()
        {
            var act = () => XcepCodec.ReadResponse(Doc("wstep-issued-response.xml"));
            act.Should().Throw<PscException>().Which.Message.Should().Contain("GetPoliciesResponse");
            var wstep = () => WstepCodec.ReadResponse(XDocument.Parse("<html><body>hi</body></html>"));
            wstep.Should().Throw<PscException>().Which.Message.Should().Contain("SOAP 1.2 envelope");
        }

        [Fact]
        public void Pkcs7_certificate_bags_round_trip_and_the_spec_cmc_response_is_read()
        {
            var response = WstepCodec.ReadResponse(Doc("wstep-issued-response.xml"));
            var bag = Pkcs7.CertificatesOnly(new[] { response.Certificate! }.Concat(response.Chain));
            Pkcs7.ReadCertificates(bag, "bag").Should().HaveCount(3);
            Pkcs7.ReadCertificatesPemOrDer(Encoding.ASCII.GetBytes(Pem.Encode("CERTIFICATE", bag)), "bag").Should().HaveCount(3,
                "AD CS armours its b64 chain as CERTIFICATE");
            var act = () => Pkcs7.ReadCertificates(response.Certificate!, "leaf");
            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("MalformedResponse");
        }

        // Pages shaped like AD CS Web Enrollment's (certfnsh.asp, certnew.cer) in English.
        private const string IssuedPage = "<HTML><Head><Title>Microsoft Active Directory Certificate Services</Title></Head><Body>" +
            "<P ID=locInfoReqIDAndDisp> Certificate Issued </P><P>The certificate you requested was issued to you.</P>" +
            "<A Href=\"certnew.cer?ReqID=21&amp;Enc=bin\">DER encoded</A> <A Href=\"certnew.cer?ReqID=21&amp;Enc=b64\">Base 64 encoded</A></Body></HTML>";
        private const string PendingPage = "<HTML><Head><Title>Microsoft Active Directory Certificate Services</Title></Head><Body>" +
            "<Font ID=locPageTitle>Certificate Pending</Font><P>Your certificate request has been received. However, you must wait for an " +
            "administrator to issue the certificate you requested.<P>Your Request Id is 22.<P>Please return to this web site in a day or two.</Body></HTML>";
        private const string DeniedPage = "<HTML><Head><Title>Microsoft Active Directory Certificate Services</Title></Head><Body>" +
            "<Font ID=locPageTitle>Certificate Request Denied</Font><P>Your certificate request was denied.<P>Your Request Id is 23. " +
            "The disposition message is \"Denied by Policy Module  0x80094800, The request was for a certificate template that is not supported.\".<P>" +
            "Contact your administrator for further information.</Body></HTML>";

        [Fact]
        public void Certsrv_result_pages_are_read_by_link_request_id_and_hresult()
        {
            var issued = CertsrvCodec.ReadSubmitPage(IssuedPage);
            issued.Status.Should().Be(SubmitStatus.Issued);
            issued.RequestId.Should().Be("21");

            var pending = CertsrvCodec.ReadSubmitPage(PendingPage);
            pending.Status.Should().Be(SubmitStatus.Pending);
            pending.RequestId.Should().Be("22");

            var denied = CertsrvCodec.ReadSubmitPage(DeniedPage);
            denied.Status.Should().Be(SubmitStatus.Denied);
            denied.RequestId.Should().Be("23");
            unchecked((uint)denied.HResult).Should().Be(0x80094800);
            denied.DispositionMessage.Should().StartWith("Denied by Policy Module");

            var act = () => CertsrvCodec.ReadSubmitPage("<html><title>Login</title><body>Please sign in</body></html>");
            act.Should().Throw<PscException>().Which.Message.Should().Contain("Login");
        }

        [Fact]
        public void Certsrv_retrieval_pages_say_pending_or_denied_by_their_disposition_line_and_code()
        {
            const string pending = "<HTML><Head><Title>Microsoft Active Directory Certificate Services</Title></Head><Body><P>The certificate you requested is not available.</P>" +
                "<P>Request ID:\t\t22<BR>\r\nDisposition message:\t\tTaken Under Submission</P></Body></HTML>";
            var still = CertsrvCodec.ReadRetrievePage(pending, "22");
            still.Status.Should().Be(SubmitStatus.Pending);
            still.DispositionMessage.Should().Be("Taken Under Submission");

            const string denied = "<HTML><Body>Request ID:\t\t23<BR>\r\nDisposition message:\t\tDenied by Administrator<BR>\r\n0x80094014 (-2146877420)</Body></HTML>";
            var no = CertsrvCodec.ReadRetrievePage(denied, "23");
            no.Status.Should().Be(SubmitStatus.Denied);
            no.DispositionMessage.Should().Be("Denied by Administrator");
            no.RequestId.Should().Be("23");

            const string rpc = "<HTML><Body>Disposition message:\t\tThe RPC server is unavailable. 0x800706ba (WIN32: 1722 RPC_S_SERVER_UNAVAILABLE)</Body></HTML>";
            FluentActions.Invoking(() => CertsrvCodec.ReadRetrievePage(rpc, "24")).Should().Throw<ServiceUnavailableException>();
        }

        [Fact]
        public void Certsrv_form_carries_the_template_and_attributes_and_refuses_line_breaks_in_values()
        {
            using var key = AsymmetricKey.Generate(KeyAlgorithm.Rsa, 2048);
            var csr = CsrBuilder.Build(new RequestSpec { Subject = "CN=form" }, key);
            var form = CertsrvCodec.SubmitForm(csr, "WebServer", new Dictionary<string, string> { ["SAN"] = "dns=a&dns=b" }).ToDictionary(p => p.Key, p => p.Value);
            form["Mode"].Should().Be("newreq");
            form["CertAttrib"].Should().Be("CertificateTemplate:WebServer\r\nSAN:dns=a&dns=b");
            form["CertRequest"].Should().StartWith("-----BEGIN CERTIFICATE REQUEST-----");

            var act = () => CertsrvCodec.SubmitForm(csr, "WebServer", new Dictionary<string, string> { ["SAN"] = "dns=a\r\nCertificateTemplate:SubCA" });
            act.Should().Throw<PscException>().Which.ErrorId.Should().Be("InvalidAttribute");
            CertsrvCodec.ReadRenewalCount("<script>var nRenewals=3;</script>").Should().Be(3);
        }
    }
}
