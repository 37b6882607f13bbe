package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;


/**
 * {@code mk caps}: the capability system through one core's admin API. Every change is one 2PC
 * transaction with every core as participant, coordinated by the core that takes the request; the
 * core acts only for capabilities it holds.
 *
 * <p>Outcomes are read the way {@code mk kv put} reads them: exit code 0 only when the change
 * committed (or the read was done); otherwise exit code 1 and one line that keeps the definite
 * ({@code core N refused: ...}, {@code aborted (transaction T): ...}: nothing changed) apart from
 * the indefinite ({@code indefinite ...: it may have committed}). Bad flags and values are refused
 * before any request, with exit code 2.
 */
@Command(name = "caps", mixinStandardHelpOptions = true,
    description = { "Capabilities: allocate, retype, copy, mint, delete, revoke and identify them, and read and " +
        "write frames, through one core's admin API.",
        "A change is one two-phase-commit transaction over every core, coordinated by --core; that core acts only " +
            "for capabilities it holds. Every core's replica lists the same capabilities with the same fingerprint.",
        "Sizes take a k, m or g suffix (4096, 64k, 1m), or hex (0x1000)." },
    subcommands = { CapsListCommand.class, CapsChangeCommands.Alloc.class, CapsChangeCommands.Retype.class,
        CapsChangeCommands.Copy.class, CapsChangeCommands.Mint.class, CapsChangeCommands.Delete.class,
        CapsChangeCommands.Revoke.class, CapsListCommand.Identify.class, CapsFrameCommands.Read.class,
        CapsFrameCommands.Write.class },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
final class CapsCommand implements Runnable
{
    static final String EXIT_DONE = "0:done: the change committed on every core, or the read was answered";
    static final String EXIT_NOT_DONE = "1:not done: refused or aborted (nothing changed), or indefinite " +
        "(it may have committed: list before retrying); one line says which and why";
    static final String EXIT_BAD_USAGE = "2:bad usage: unknown flag or bad value; no request was sent";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "a subcommand");
    }

    /**
     * What every {@code mk caps} subcommand has: the core to ask ({@code --core}, {@code --run-dir}),
     * {@code --json}, and the reading of the core's answer.
     */
    abstract static class Subcommand extends AdminSubcommand
    {
        @Override
        String listCommand()
        {
            return "mk caps list";
        }

        long capId(final long capId)
        {
            Usage.check(spec, capId > 0, "CAP=" + capId + " is not a capability id: ids are positive (see mk caps list)");
            return capId;
        }
    }
}
