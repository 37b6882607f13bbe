package io.multikernel.node.cli;

import java.io.PrintWriter;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.multikernel.node.util.Usage;
import io.multikernel.transport.LinkFaults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mk chaos link}, {@code mk chaos heal} and {@code mk chaos links}: the rules of one core's
 * link fault point, through its admin API's {@code /chaos/links}. Each prints what the core holds
 * after the request, or with {@code --json} the core's answer as it is.
 */
final class ChaosLinkCommands
{
    static final String PATH = "/chaos/links";
    static final List<String> DIRECTIONS = List.of("inbound", "outbound", "both");
    private static final String ROW = "%-5s %-9s %6s %10s %9s %11s %8s %5s";

    private ChaosLinkCommands()
    {
    }

    /**
     * {@code POST /chaos/links}.
     *
     * @param peer      the other end of the link.
     * @param direction inbound, outbound or both.
     * @param drop      probability that a frame is dropped, or null for 0.
     * @param delayMs   how long frames are held, ms, or null for 0.
     */
    record Rule(int peer, String direction, @JsonInclude(JsonInclude.Include.NON_NULL) Double drop,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long delayMs)
    {
    }

    /**
     * What every {@code /chaos/links} route answers.
     *
     * @param core                the core.
     * @param seed                the seed of its drop decisions.
     * @param delayMsMax          longest delay a rule may give, ms.
     * @param delayQueueFramesMax most frames held at once.
     * @param delayQueueBytesMax  most bytes held at once.
     * @param queuedFrames        frames held now.
     * @param queuedBytes         bytes held now.
     * @param links               every link that has had a rule.
     */
    record LinksView(int core, long seed, long delayMsMax, int delayQueueFramesMax, long delayQueueBytesMax,
        int queuedFrames, long queuedBytes, List<LinkView> links)
    {
    }

    /**
     * One direction of a link.
     *
     * @param peer             the peer core.
     * @param direction        inbound or outbound.
     * @param drop             its drop probability.
     * @param delayMs          its delay, ms.
     * @param droppedByRule    frames its rule dropped.
     * @param droppedQueueFull frames dropped because the delay queue was full.
     * @param delayed          frames held.
     * @param queuedFrames     frames held now.
     */
    record LinkView(int peer, String direction, double drop, long delayMs, long droppedByRule, long droppedQueueFull,
        long delayed, int queuedFrames)
    {
    }

    /** What every {@code mk chaos} link subcommand has. */
    abstract static class Subcommand extends AdminSubcommand
    {
        @Override
        String listCommand()
        {
            return "mk chaos links";
        }

        /** Prints the core's links after the request, unless {@code --json} printed its answer. */
        void print(final String done, final LinksView links)
        {
            if (json)
            {
                return;
            }
            final PrintWriter out = out();
            if (null != done)
            {
                out.println(done);
            }
            out.println("core " + links.core() + ": " + (links.links().isEmpty() ? "no link has had a rule" :
                links.links().size() + " link direction(s)") + ", " + links.queuedFrames() + " frame(s) held (" +
                links.queuedBytes() + " bytes), drop seed " + links.seed());
            if (!links.links().isEmpty())
            {
                out.println(String.format(ROW, "PEER", "DIRECTION", "DROP", "DELAY (ms)", "DROPPED", "QUEUE FULL",
                    "DELAYED", "HELD"));
                for (final LinkView link : links.links())
                {
                    out.println(String.format(ROW, link.peer(), link.direction(), String.format("%.3f", link.drop()),
                        link.delayMs(), link.droppedByRule(), link.droppedQueueFull(), link.delayed(), link.queuedFrames()));
                }
            }
            out.flush();
        }
    }

    @Command(name = "link", mixinStandardHelpOptions = true,
        description = { "Set the rule of the link between --core and --peer: drop frames with a probability " +
            "(--drop 1 cuts it), hold the others for --delay-ms, or both; 0 and 0 heal it.",
            "Faults only what --core sends and receives: a partition between A and B is a cut on both cores.",
            "Frames held leave in the order they came, after the delay, at the core's next duty cycle." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { ChaosCommand.EXIT_DONE, ChaosCommand.EXIT_NOT_DONE, ChaosCommand.EXIT_BAD_USAGE })
    static final class Link extends Subcommand
    {
        @Option(names = "--peer", required = true, paramLabel = "CORE", description = "The core at the other end.")
        int peer;

        @Option(names = "--direction", defaultValue = "both", description = "inbound (frames from the peer), " +
            "outbound (frames to it) or both (default: ${DEFAULT-VALUE}).")
        String direction;

        @Option(names = "--drop", paramLabel = "P", description = "Probability that a frame is dropped, 0..1 " +
            "(default 0).")
        Double drop;

        @Option(names = "--delay-ms", paramLabel = "MS", description = "How long frames are held, 0.." +
            LinkFaults.DELAY_MS_MAX + " ms (default 0).")
        Long delayMs;

        @Override
        public Integer call() throws InterruptedException
        {
            core("--peer", peer);
            Usage.check(spec, DIRECTIONS.contains(direction),
                "--direction=" + direction + " is not inbound, outbound or both");
            Usage.check(spec, null != drop || null != delayMs,
                "give --drop, --delay-ms or both (mk chaos heal removes rules)");
            Usage.check(spec, null == drop || drop >= 0.0 && drop <= 1.0,
                "--drop=" + drop + " is outside 0..1: it is a probability, 1 cuts the link");
            if (null != delayMs)
            {
                Usage.checkRange(spec, "--delay-ms", delayMs, 0, LinkFaults.DELAY_MS_MAX);
            }
            final AdminClient client = target.client(spec);
            inMap(client, "--peer", peer);
            final LinksView links = answer(client, client.post(PATH, new Rule(peer, direction, drop, delayMs)),
                LinksView.class, false);
            print("core " + client.coreId() + ": link to core " + peer + ", " +
                ("both".equals(direction) ? "both directions" : direction) + ": drop " + (null == drop ? 0.0 : drop) +
                ", delay " + (null == delayMs ? 0 : delayMs) + " ms", links);
            return 0;
        }
    }

    @Command(name = "heal", mixinStandardHelpOptions = true,
        description = { "Heal every link of --core, or both directions of its link to --peer.",
            "Frames already held still leave after their delay." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { ChaosCommand.EXIT_DONE, ChaosCommand.EXIT_NOT_DONE, ChaosCommand.EXIT_BAD_USAGE })
    static final class Heal extends Subcommand
    {
        @Option(names = "--peer", paramLabel = "CORE", description = "Only the link to this core (default: every link).")
        Integer peer;

        @Override
        public Integer call() throws InterruptedException
        {
            if (null != peer)
            {
                core("--peer", peer);
            }
            final AdminClient client = target.client(spec);
            inMap(client, "--peer", peer);
            final LinksView links = answer(client, client.delete(null == peer ? PATH : PATH + "?peer=" + peer),
                LinksView.class, false);
            print("core " + client.coreId() + ": " + (null == peer ? "every link" : "link to core " + peer) + " healed",
                links);
            return 0;
        }
    }

    @Command(name = "links", mixinStandardHelpOptions = true,
        description = { "List the core's link rules and what they did: frames dropped by the rule and because the " +
            "delay queue was full, frames delayed, frames held now; and the drop seed.",
            "Every link that has had a rule is listed, healed ones too (their counts stay)." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { ChaosCommand.EXIT_DONE, ChaosCommand.EXIT_NOT_DONE, ChaosCommand.EXIT_BAD_USAGE })
    static final class Links extends Subcommand
    {
        @Override
        public Integer call() throws InterruptedException
        {
            final AdminClient client = target.client(spec);
            print(null, answer(client, client.get(PATH), LinksView.class, false));
            return 0;
        }
    }
}
