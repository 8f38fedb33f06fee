using System.Collections.Generic;
using System.Linq;
using PSCertConnector.Core.Operations;
using PSCertConnector.Core.Store;
using PSCertConnector.Core;

namespace PSCertConnector.Cli.Commands
{
    /// <summary>An order command that acts on the orders it names: ids as arguments, --connector with --request-id, or every order in a state.</summary>
    internal abstract class OrderActionCommand : CliCommand
    {
        private readonly bool _destructive;
        private readonly SubmitStatus? _everyInState;
        private readonly bool _unfetchedOnly;

        /// <param name="everyInState">The orders it takes when none is named; null: they must be named.</param>
        protected OrderActionCommand(string name, string synopsis, bool destructive, SubmitStatus? everyInState, bool unfetchedOnly = false, params CliOption[] options)
            : base(name, synopsis, new[] { new CliOption("connector", "the connector whose CA request ids --request-id names") }.Concat(options).Append(new CliOption("request-id", "CA request id instead of order ids")).ToArray())
        {
            _destructive = destructive;
            _everyInState = everyInState;
            _unfetchedOnly = unfetchedOnly;
        }

        protected abstract void Act(OrderOperations operations, IReadOnlyList<OrderRecord> orders);

        /// <summary>For a command whose action takes options of its own.</summary>
        protected virtual void Act(OrderOperations operations, IReadOnlyList<OrderRecord> orders, CommandLine cl) => Act(operations, orders);

        public override int Run(CommandLine cl, Invocation run) => run.Op(_destructive, (ws, s) =>
        {
            var operations = new OrderOperations(ws, s);
            Act(operations, Arguments.Orders(cl, operations, _everyInState, _unfetchedOnly), cl);
        });
    }
}
