namespace PSCertConnector.Integration.Tests { }
