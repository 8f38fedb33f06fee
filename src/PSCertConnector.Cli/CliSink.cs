using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using PSCertConnector.Core;

namespace PSCertConnector.Cli
{
    /// <summary>
    /// The CLI's side of the operation seam: objects are collected for rendering, errors and warnings go to
    /// stderr at once, and ShouldProcess follows --what-if and, for destructive commands, --yes or a prompt.
    /// </summary>
    internal sealed class CliSink : ICommandSink
    {
        private readonly TextWriter _err;
        private readonly bool _verbose;
        private readonly bool _whatIf;
        private readonly bool _confirmed;
        private readonly bool _destructive;
        private readonly TextReader? _prompt;
        private bool _yesToAll;

        public CliSink(TextWriter err, bool verbose, bool whatIf, bool confirmed, bool destructive, TextReader? interactiveInput, CancellationToken cancellation)
        {
            _err = err;
            _verbose = verbose;
            _whatIf = whatIf;
            _confirmed = confirmed;
            _destructive = destructive;
            _prompt = interactiveInput;
            Cancellation = cancellation;
        }

        public List<object> Objects { get; } = new();
        public List<PscError> Errors { get; } = new();
        public CancellationToken Cancellation { get; }
        /// <summary>Called for each object as it arrives (streaming output); when null, objects are only collected.</summary>
        public Action<object>? OnObject { get; set; }

        public void WriteObject(object item)
        {
            Objects.Add(item);
            OnObject?.Invoke(item);
        }

        public void WriteError(PscError error)
        {
            Errors.Add(error);
            _err.WriteLine($"error: {error.Message} [{error.ErrorId}]");
        }

        public void WriteWarning(string message) => _err.WriteLine("warning: " + message);

        public void WriteVerbose(string message)
        {
            if (_verbose) _err.WriteLine("verbose: " + message);
        }

        /// <summary>On a terminal, one line rewritten in place; with --verbose, a line per update; otherwise nothing.</summary>
        public void WriteProgress(ProgressInfo progress)
        {
            var text = progress.PercentComplete >= 0
                ? $"{progress.Activity}: {progress.Status} ({progress.PercentComplete}%)"
                : $"{progress.Activity}: {progress.Status}";
            text = DisplayText.Escape(text, 200);
            if (ProgressOnTerminal)
            {
                // The carriage returns are the line rewriting itself: written past the escaping writer, the text escaped above.
                TerminalSafeWriter.Unwrap(_err).Write("\r" + (progress.Completed ? new string(' ', Math.Min(_lastProgressLength, 200)) + "\r" : text.PadRight(_lastProgressLength)));
                _lastProgressLength = progress.Completed ? 0 : text.Length;
            }
            else if (_verbose && !progress.Completed)
                _err.WriteLine("progress: " + text);
        }

        private int _lastProgressLength;

        /// <summary>True when stderr is a terminal a person watches (set by the program, never in tests).</summary>
        public bool ProgressOnTerminal { get; set; }

        public bool ShouldProcess(string target, string action)
        {
            if (_whatIf)
            {
                _err.WriteLine($"What if: Performing the operation \"{action}\" on target \"{target}\".");
                return false;
            }
            if (!_destructive || _confirmed || _yesToAll) return true;
            if (_prompt == null)
                throw new PscException("ConfirmationRequired", FailureCategory.InvalidOperation,
                    $"'{action}' on {target} needs confirmation: add --yes (or --what-if to see what would happen).");
            _err.Write($"{action} {target}? [y] Yes  [a] Yes to all  [N] No: ");
            var answer = (_prompt.ReadLine() ?? "").Trim().ToLowerInvariant();
            if (answer == "a") _yesToAll = true;
            return answer is "y" or "yes" or "a";
        }
    }
}
