
namespace PSCertConnector.Core
{
    /// <summary>What kind of failure an error is; mirrors the PowerShell ErrorCategory values we use.</summary>
    public enum FailureCategory
    {
        NotSpecified,
        InvalidArgument,
        InvalidData,
        ObjectNotFound,
        ResourceExists,
        NotImplemented,
        PermissionDenied,
        ConnectionError,
        OperationTimeout,
        InvalidOperation,
        OperationStopped,
        WriteError,
        ReadError,
        SecurityError,
    }
}
