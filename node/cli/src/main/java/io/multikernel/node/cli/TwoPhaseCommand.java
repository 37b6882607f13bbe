package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.multikernel.node.util.JsonWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mk 2pc}: two-phase-commit state of a core, and an operator's decision for an in-doubt
 * transaction.
 */
@Command(name = "2pc", mixinStandardHelpOptions = true,
    description = "Two-phase commit on one core: list in-doubt transactions, or decide one by hand.",
    subcommands = { TwoPhaseCommand.InDoubt.class, TwoPhaseCommand.Decide.class })
final class TwoPhaseCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "a subcommand");
    }

    @Command(name = "in-doubt", mixinStandardHelpOptions = true,
        description = { "The transactions the core voted yes on and has no decision for, with coordinator,",
            "participants and how long; plus in-flight, prepared and lock counts." })
    static final class InDoubt implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        KvCommand.Target target = new KvCommand.Target();

        @Option(names = "--json", description = "Print the core's /2pc answer as JSON.")
        boolean json;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() throws InterruptedException
        {
            final AdminClient client = target.client(spec);
            final AdminClient.Reply reply = client.get("/2pc");
            if (200 != reply.status())
            {
                throw new IllegalStateException(reply.text("error"));
            }
            final PrintWriter out = spec.commandLine().getOut();
            if (json)
            {
                out.println(reply.raw());
                out.flush();
                return 0;
            }
            out.printf("core %d: in doubt %s, in flight %s, prepared %s, locks held %s%n", client.coreId(),
                reply.text("in_doubt_count"), reply.text("in_flight"), reply.text("prepared"), reply.text("locks_held"));
            final List<Map<String, Object>> inDoubt = (List<Map<String, Object>>)reply.body().get("in_doubt");
            if (!inDoubt.isEmpty())
            {
                out.printf("%-32s %-11s %-20s %10s%n", "TRANSACTION", "COORDINATOR", "PARTICIPANTS", "FOR (ms)");
                for (final Map<String, Object> transaction : inDoubt)
                {
                    out.printf("%-32s %-11s %-20s %10s%n", transaction.get("transaction"), transaction.get("coordinator"),
                        transaction.get("participants"), transaction.get("in_doubt_for_ms"));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "decide", mixinStandardHelpOptions = true,
        description = { "Decide an in-doubt transaction on this core by hand (logged at WARN on the core).",
            "Only when its coordinator is lost for good: a decision that contradicts the coordinator's makes",
            "the replicas diverge." })
    static final class Decide implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        KvCommand.Target target = new KvCommand.Target();

        @Parameters(index = "0", paramLabel = "TRANSACTION", description = "core:incarnation:sequence, as in-doubt lists it.")
        String transaction;

        @Parameters(index = "1", paramLabel = "DECISION", description = "commit or abort.")
        String decision;

        @Option(names = "--reason", required = true, description = "Why; recorded in the core's log.")
        String reason;

        @Option(names = "--operator", description = "Who decides (default: $USER).")
        String operator;

        @Override
        public Integer call() throws InterruptedException
        {
            Usage.check(spec, "commit".equals(decision) || "abort".equals(decision),
                "DECISION=" + decision + " is not commit or abort");
            Usage.check(spec, !reason.isBlank(), "--reason is blank");
            final String who = null != operator ? operator : System.getProperty("user.name", "operator");
            final AdminClient client = target.client(spec);
            final AdminClient.Reply reply = client.post("/2pc/decide", new JsonWriter().beginObject()
                .field("transaction", transaction).field("decision", decision).field("reason", reason)
                .field("operator", who).endObject().toString());
            if (null == reply.body().get("applied"))
            {
                throw new IllegalStateException(reply.text("error"));
            }
            if (!Boolean.TRUE.equals(reply.body().get("applied")))
            {
                throw new IllegalStateException("not applied: " + reply.text("message"));
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.println(decision + " of " + transaction + " applied on core " + client.coreId() + ": " +
                reply.text("message"));
            out.flush();
            return 0;
        }
    }
}
