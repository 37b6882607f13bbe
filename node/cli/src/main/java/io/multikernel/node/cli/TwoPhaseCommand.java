package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

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

    /**
     * What {@code GET /2pc} answers: the core's two-phase-commit state.
     *
     * @param core         the core.
     * @param incarnation  its incarnation.
     * @param fsync        its write-ahead log's fsync policy.
     * @param dataDir      where its write-ahead log is.
     * @param failed       whether its engine stopped on an error.
     * @param inFlight     transactions it coordinates that have no outcome yet.
     * @param prepared     transactions it voted yes on.
     * @param locksHeld    keys locked by prepared transactions.
     * @param inDoubtCount transactions it voted yes on and has no decision for.
     * @param inDoubt      the oldest of those (at most the core's list limit).
     */
    record Status(int core, long incarnation, String fsync, String dataDir, boolean failed, long inFlight, long prepared,
        long locksHeld, long inDoubtCount, List<InDoubtTransaction> inDoubt)
    {
    }

    /**
     * One in-doubt transaction.
     *
     * @param transaction         core:incarnation:sequence.
     * @param coordinator         the core that coordinates it.
     * @param coordinatorState    that core as this one sees it: self, up, suspect, down, left or unknown.
     * @param participants        the cores that voted on it.
     * @param inDoubtSinceEpochMs when this core voted yes, ms since the epoch.
     * @param inDoubtForMs        how long ago that was, ms.
     * @param queriesSent         times this core asked for the decision.
     */
    /** Coordinator states in which the coordinator itself will still decide: no decision by hand. */
    private static final java.util.Set<String> COORDINATOR_DECIDES = java.util.Set.of("self", "up", "suspect");

    record InDoubtTransaction(String transaction, int coordinator, String coordinatorState, List<Integer> participants,
        long inDoubtSinceEpochMs,
        long inDoubtForMs, long queriesSent)
    {
    }

    /** {@code POST /2pc/decide}. */
    record DecideRequest(String transaction, String decision, String reason, String operator)
    {
    }

    /** What {@code POST /2pc/decide} answers when the request was well formed. */
    record Decision(String transaction, String decision, boolean applied, String message)
    {
    }

    @Command(name = "in-doubt", mixinStandardHelpOptions = true,
        description = { "List the transactions the core voted yes on and has no decision for, with coordinator, " +
            "participants and how long.",
            "Also shows the core's in-flight, prepared and lock counts." })
    static final class InDoubt implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        KvCommand.Target target = new KvCommand.Target();

        @Option(names = "--json", description = "Print the core's /2pc answer as JSON.")
        boolean json;

        @Override
        public Integer call() throws InterruptedException
        {
            final AdminClient client = target.client(spec);
            final AdminClient.Reply reply = client.get("/2pc");
            if (200 != reply.status())
            {
                throw new IllegalStateException(reply.error());
            }
            final Status status = reply.as(Status.class);
            final PrintWriter out = spec.commandLine().getOut();
            if (json)
            {
                out.println(reply.raw());
                out.flush();
                return 0;
            }
            out.printf("core %d: in doubt %d, in flight %d, prepared %d, locks held %d%n", client.coreId(),
                status.inDoubtCount(), status.inFlight(), status.prepared(), status.locksHeld());
            if (!status.inDoubt().isEmpty())
            {
                out.printf("%-32s %-16s %-20s %10s%n", "TRANSACTION", "COORDINATOR", "PARTICIPANTS", "FOR (ms)");
                boolean waiting = false;
                for (final InDoubtTransaction transaction : status.inDoubt())
                {
                    out.printf("%-32s %-16s %-20s %10s%n", transaction.transaction(),
                        transaction.coordinator() + " (" + transaction.coordinatorState() + ")",
                        transaction.participants(), transaction.inDoubtForMs());
                    waiting |= COORDINATOR_DECIDES.contains(transaction.coordinatorState());
                }
                if (waiting)
                {
                    out.println("A transaction whose coordinator is up (or suspect, or this core) is waiting for its " +
                        "decision, not lost: leave it; mk 2pc decide is for one whose coordinator is lost for good.");
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "decide", mixinStandardHelpOptions = true,
        description = { "Decide an in-doubt transaction on this core by hand (logged at WARN on the core).",
            "Only when its coordinator is lost for good: a decision that contradicts the coordinator's makes " +
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
            Usage.check(spec, null == operator || !operator.isBlank(), "--operator is blank");
            try
            {
                io.multikernel.replication.TransactionId.parse(transaction);
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, "TRANSACTION: " + ex.getMessage() + ", as mk 2pc in-doubt lists it");
            }
            final String who = null != operator ? operator : System.getProperty("user.name", "operator");
            final AdminClient client = target.client(spec);
            final AdminClient.Reply reply = client.post("/2pc/decide",
                new DecideRequest(transaction, decision, reason, who));
            if (reply.isError())
            {
                throw new IllegalStateException(reply.error());
            }
            final Decision result = reply.as(Decision.class);
            if (!result.applied())
            {
                throw new IllegalStateException("not applied: " + result.message());
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.println(decision + " of " + transaction + " applied on core " + client.coreId() + ": " + result.message());
            out.flush();
            return 0;
        }
    }
}
