package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.annotation.JsonInclude;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mk kv}: the replicated key-value store through a core's admin API.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = { "The replicated key-value store, through one core's admin API (found in the run directory).",
        "put is a two-phase-commit transaction coordinated by that core; get reads its local replica." },
    subcommands = { KvCommand.Put.class, KvCommand.Get.class })
final class KvCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "a subcommand");
    }

    /** Where to find the core. */
    static final class Target
    {
        @Option(names = "--core", description = "Core whose admin API to use (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
        int core;

        @Option(names = "--run-dir", description = "Run directory (default: $MK_RUN_DIR, else the project's run/).")
        Path runDir;

        AdminClient client(final CommandLine.Model.CommandSpec spec)
        {
            Usage.check(spec, core >= 0, "--core=" + core + " is negative");
            try
            {
                return AdminClient.ofRecordedCore(runDir, core);
            }
            catch (final AdminClient.UnknownCoreException ex)
            {
                throw Usage.error(spec, "--core=" + core + ": " + ex.getMessage());
            }
        }
    }

    /**
     * {@code POST /kv}: one key written or deleted on the replicas (every core when none are named).
     */
    record PutRequest(@JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> replicas, String key,
        @JsonInclude(JsonInclude.Include.NON_NULL) String value, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean delete)
    {
    }

    /**
     * What {@code POST /kv} answers when the core took the request.
     *
     * @param outcome     committed, aborted or indefinite.
     * @param transaction its id, or null when it was never proposed.
     * @param replicas    the cores holding the key.
     * @param reason      why it did not commit; absent when it did.
     */
    record Outcome(String outcome, String transaction, List<Integer> replicas,
        @JsonInclude(JsonInclude.Include.NON_NULL) String reason)
    {
    }

    /** What {@code GET /kv/KEY} answers when the key is there. */
    record Value(String key, String value, int core)
    {
    }

    /**
     * What {@code GET /kv?limit=N} answers.
     *
     * @param core        the core whose replica it is.
     * @param count       keys in the replica.
     * @param fingerprint of the whole replica; equal on replicas that hold the same keys and values.
     * @param changes     writes applied to the replica.
     * @param limit       most entries listed.
     * @param truncated   whether there are more entries than listed.
     * @param entries     the first entries, in key order.
     */
    record Listing(int core, long count, String fingerprint, long changes, int limit, boolean truncated,
        Map<String, String> entries)
    {
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
        description = { "Write KEY=VALUE on every replica, atomically, with the core as coordinator.",
            "Prints the definite outcome (committed, or aborted: nothing changed) or says it is indefinite " +
                "(timed out: it may have committed). Exit code 0 only when committed." })
    static final class Put implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--replicas", split = ",", description = "Cores holding the replica, e.g. 0,1,2 " +
            "(default: every core).")
        List<Integer> replicas = new ArrayList<>();

        @Option(names = "--delete", description = "Delete KEY instead of writing it (give no VALUE).")
        boolean delete;

        @Parameters(index = "0", paramLabel = "KEY", description = "The key: 1 to " +
            io.multikernel.replication.kv.KeyValueStateMachine.MAX_STRING_LENGTH_BYTES + " bytes of UTF-8, not under name/.")
        String key;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "The value: at most " +
            io.multikernel.replication.kv.KeyValueStateMachine.MAX_STRING_LENGTH_BYTES + " bytes of UTF-8; none with --delete.")
        String value;

        /** Replicas the map does not list, or named twice, are usage errors found here, not refusals of the core. */
        private void checkReplicas(final io.multikernel.node.cluster.ClusterMap map)
        {
            final java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (final int replica : replicas)
            {
                Usage.check(spec, map.hasCore(replica), "--replicas: " + map.missingCore(replica));
                Usage.check(spec, seen.add(replica), "--replicas names core " + replica + " twice");
            }
        }

        @Override
        public Integer call() throws InterruptedException
        {
            Usage.check(spec, !key.isEmpty(), "KEY is empty");
            Usage.check(spec, key.chars().noneMatch(Character::isISOControl), "KEY contains a control character " +
                "(a newline, a tab, ...): keys are listed one per line, so such a key could not be read back");
            Usage.check(spec, delete == (null == value), delete ? "--delete takes no VALUE" : "VALUE is required");
            replicas.stream().filter(replica -> null == replica || replica < 0).findFirst().ifPresent(replica ->
            {
                throw Usage.error(spec, "--replicas=" + replica + " is negative: cores are numbered from 0");
            });
            checkLength("KEY", key);
            checkLength("VALUE", value);
            final AdminClient client = target.client(spec);
            checkReplicas(client.map());
            final AdminClient.Reply reply = client.post("/kv",
                new PutRequest(replicas, key, delete ? null : value, delete ? Boolean.TRUE : null));
            if (reply.isError())
            {
                throw new IllegalStateException("core " + client.coreId() + " refused: " + reply.error());
            }
            final Outcome outcome = reply.as(Outcome.class);
            if (!"committed".equals(outcome.outcome()))
            {
                throw new IllegalStateException(outcome.outcome() + " (transaction " + outcome.transaction() + "): " +
                    outcome.reason());
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.println("committed " + outcome.transaction() + " on replicas " + outcome.replicas());
            out.flush();
            return 0;
        }

        private void checkLength(final String what, final String text)
        {
            final int bytes = null == text ? 0 : text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            Usage.check(spec, bytes <= io.multikernel.replication.kv.KeyValueStateMachine.MAX_STRING_LENGTH_BYTES,
                what + " of " + bytes + " bytes is longer than " +
                io.multikernel.replication.kv.KeyValueStateMachine.MAX_STRING_LENGTH_BYTES + " bytes");
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
        description = "Read KEY from the core's local replica, or without KEY list the replica (count, fingerprint, " +
            "entries up to --limit).")
    static final class Get implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--limit", description = "Most entries listed without KEY (default: ${DEFAULT-VALUE}).",
            defaultValue = "100")
        int limit;

        @Parameters(index = "0", arity = "0..1", paramLabel = "KEY")
        String key;

        @Override
        public Integer call() throws InterruptedException
        {
            Usage.checkRange(spec, "--limit", limit, 0, 10_000);
            Usage.check(spec, null == key || !key.isEmpty(), "KEY is empty");
            final AdminClient client = target.client(spec);
            final PrintWriter out = spec.commandLine().getOut();
            if (null != key)
            {
                final AdminClient.Reply reply = client.get("/kv/" + AdminClient.encode(key));
                if (200 != reply.status())
                {
                    throw new IllegalStateException(reply.error());
                }
                out.println(reply.as(Value.class).value());
            }
            else
            {
                final AdminClient.Reply reply = client.get("/kv?limit=" + limit);
                if (200 != reply.status())
                {
                    throw new IllegalStateException(reply.error());
                }
                final Listing listing = reply.as(Listing.class);
                out.println("core " + client.coreId() + ": " + listing.count() + (1 == listing.count() ? " entry" : " entries") + ", fingerprint " +
                    listing.fingerprint() + (listing.truncated() ? " (first " + limit + " shown)" : ""));
                listing.entries().forEach((k, v) -> out.println(k + "=" + v));
            }
            out.flush();
            return 0;
        }
    }
}
