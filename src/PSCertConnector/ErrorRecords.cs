using System;
using System.Management.Automation;
using PSCertConnector.Core;

namespace PSCertConnector.Commands
{
    internal static class ErrorRecords
    {
        /// <summary>The record keeps the original exception, so that catch [PSCertConnector.Core.PscException] and its subtypes work.</summary>
        public static ErrorRecord From(PscError error)
        {
            var category = Enum.TryParse(error.Category.ToString(), out ErrorCategory parsed) ? parsed : ErrorCategory.NotSpecified;
            var exception = error.Exception ?? new PscException(error.ErrorId, error.Category, error.Message);
            var record = new ErrorRecord(exception, error.ErrorId, category, error.Target is string text ? DisplayText.Escape(text, 200) : error.Target);
            // Exceptions not of our making (IO, crypto) may quote a path or a peer's text as it was.
            var shown = DisplayText.Escape(error.Message, PscException.MaxMessageLength);
            if (shown != exception.Message) record.ErrorDetails = new ErrorDetails(shown);
            return record;
        }

        public static ErrorRecord From(PscException ex) => From(PscError.From(ex));
    }
}
