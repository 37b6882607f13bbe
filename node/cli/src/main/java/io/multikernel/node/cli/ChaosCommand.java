package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mk chaos}: faults for chaos tests. {@code run} kills and pauses cores under a write load and
 * checks the result; in a cluster started with {@code mk up --chaos}, links
 * between cores are faulted per core, peer and direction through each core's admin API
 * ({@code /chaos/links}); a core started without chaos refuses.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
    description = { "Faults for chaos tests, in a cluster started with mk up --chaos (a core started without it " +
        "refuses).",
        "A core's links are faulted per peer and direction (inbound: frames from the peer; outbound: frames to it): " +
            "drop frames with a probability (1 cuts the link), hold them for a delay, or heal them.",
        "A partition between cores A and B is a cut on both sides: mk chaos link --core A --peer B --drop 1 and " +
            "mk chaos link --core B --peer A --drop 1.",
        "mk chaos run breaks any local cluster (kills and pauses under a write load) and checks what it kept." },
    subcommands = { ChaosRunCommand.class, ChaosLinkCommands.Link.class, ChaosLinkCommands.Heal.class, ChaosLinkCommands.Links.class },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { ChaosCommand.EXIT_DONE, ChaosCommand.EXIT_NOT_DONE, ChaosCommand.EXIT_BAD_USAGE })
final class ChaosCommand implements Runnable
{
    static final String EXIT_DONE = "0:done: the core applied the rule, or answered";
    static final String EXIT_NOT_DONE = "1:not done: the core refused (not started with --chaos, a bad value) or " +
        "did not answer; nothing changed";
    static final String EXIT_BAD_USAGE = "2:bad usage: unknown flag or bad value; no request was sent";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "a subcommand");
    }
}
