package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.multikernel.node.util.JsonWriter;
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
            return AdminClient.of(runDir, core);
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
        description = { "Write KEY=VALUE on every replica, atomically, with the core as coordinator.",
            "Prints the definite outcome (committed, or aborted: nothing changed) or says it is indefinite",
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

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE")
        String value;

        @Override
        public Integer call() throws InterruptedException
        {
            Usage.check(spec, !key.isEmpty(), "KEY is empty");
            Usage.check(spec, delete == (null == value), delete ? "--delete takes no VALUE" : "VALUE is required");
            final JsonWriter json = new JsonWriter().beginObject();
            if (!replicas.isEmpty())
            {
                json.name("replicas").beginArray();
                replicas.forEach(json::value);
                json.endArray();
            }
            json.field("key", key);
            if (delete)
            {
                json.field("delete", true);
            }
            else
            {
                json.field("value", value);
            }
            final AdminClient client = target.client(spec);
            final AdminClient.Reply reply = client.post("/kv", json.endObject().toString());
            final String outcome = reply.text("outcome");
            if (null == outcome)
            {
                throw new IllegalStateException("core " + client.coreId() + " refused: " + reply.text("error"));
            }
            if (!"committed".equals(outcome))
            {
                throw new IllegalStateException(outcome + " (transaction " + reply.text("transaction") + "): " +
                    reply.text("reason"));
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.println("committed " + reply.text("transaction") + " on replicas " + reply.body().get("replicas"));
            out.flush();
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
        description = { "Read KEY from the core's local replica; without KEY, list the replica (count, fingerprint,",
            "entries up to --limit)." })
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
        @SuppressWarnings("unchecked")
        public Integer call() throws InterruptedException
        {
            Usage.check(spec, limit >= 0 && limit <= 10_000, "--limit=" + limit + " is outside 0..10000");
            Usage.check(spec, null == key || !key.isEmpty(), "KEY is empty");
            final AdminClient client = target.client(spec);
            final PrintWriter out = spec.commandLine().getOut();
            if (null != key)
            {
                final AdminClient.Reply reply = client.get("/kv/" + AdminClient.encode(key));
                if (200 != reply.status())
                {
                    throw new IllegalStateException(reply.text("error"));
                }
                out.println(reply.text("value"));
            }
            else
            {
                final AdminClient.Reply reply = client.get("/kv?limit=" + limit);
                if (200 != reply.status())
                {
                    throw new IllegalStateException(reply.text("error"));
                }
                out.println("core " + client.coreId() + ": " + reply.text("count") + " entries, fingerprint " +
                    reply.text("fingerprint") + (Boolean.TRUE.equals(reply.body().get("truncated")) ?
                    " (first " + limit + " shown)" : ""));
                for (final Map.Entry<String, Object> entry :
                    ((Map<String, Object>)reply.body().get("entries")).entrySet())
                {
                    out.println(entry.getKey() + "=" + entry.getValue());
                }
            }
            out.flush();
            return 0;
        }
    }
}
