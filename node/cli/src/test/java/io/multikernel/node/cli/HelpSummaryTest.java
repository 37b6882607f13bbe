package io.multikernel.node.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk --help} and the {@code --help} of every command group list each command with one complete
 * sentence. Picocli lists a command by the first line of its description only, so a sentence that
 * runs on into the next line was cut in the list ("state (up, suspect: process alive but").
 */
class HelpSummaryTest
{
    /** A command's line in the list: two spaces, its name, its summary; wrapped lines are indented further. */
    private static final Pattern ENTRY = Pattern.compile("^  (\\S+)\\s+(\\S.*)$");

    @Test
    void everyGroupIsChecked()
    {
        assertThat(groups().keySet()).contains("mk", "mk bench", "mk kv", "mk 2pc", "mk caps", "mk lrpc", "mk name");
    }

    @TestFactory
    List<DynamicTest> everyListedSummaryIsOneCompleteSentence()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        groups().forEach((name, group) -> tests.add(DynamicTest.dynamicTest(name + " --help", () ->
        {
            final List<String> arguments = new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
            arguments.add("--help");
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            assertThat(MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                arguments.toArray(new String[0]))).as(err.toString()).isZero();

            final Map<String, String> listed = listedSummaries(out.toString());
            assertThat(listed.keySet()).as("commands listed by %s --help", name)
                .containsExactlyElementsOf(group.getSubcommands().keySet());
            listed.forEach((command, summary) ->
            {
                assertThat(summary).as("%s %s's summary", name, command).endsWith(".");
                assertThat(summary.chars().filter(c -> '(' == c).count()).as("%s %s's summary: ( and )", name, command)
                    .isEqualTo(summary.chars().filter(c -> ')' == c).count());
                assertThat(summary).as("%s %s's summary is its whole first paragraph", name, command)
                    .isEqualTo(firstParagraph(group.getSubcommands().get(command)));
            });
        })));
        return tests;
    }

    /** The root and every command that has commands of its own, by qualified name. */
    private static Map<String, CommandLine> groups()
    {
        final Map<String, CommandLine> groups = new LinkedHashMap<>();
        addGroups(new CommandLine(new MkCommand()), groups);
        return groups;
    }

    private static void addGroups(final CommandLine command, final Map<String, CommandLine> groups)
    {
        if (!command.getSubcommands().isEmpty())
        {
            groups.put(command.getCommandSpec().qualifiedName(), command);
            command.getSubcommands().values().forEach(sub -> addGroups(sub, groups));
        }
    }

    /** What picocli lists a command by: its header if it has one, else the first line of its description. */
    private static String firstParagraph(final CommandLine command)
    {
        final CommandLine.Model.UsageMessageSpec usage = command.getCommandSpec().usageMessage();
        final String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
        assertThat(lines).as("%s's description", command.getCommandName()).isNotEmpty();
        return lines[0].replaceAll("\\s+", " ").trim();
    }

    /** The "Commands:" section of a help text: each command with its summary, wrapped lines joined. */
    private static Map<String, String> listedSummaries(final String help)
    {
        final Map<String, String> summaries = new LinkedHashMap<>();
        final List<String> lines = help.lines().toList();
        final int start = lines.indexOf("Commands:");
        assertThat(start).as("a Commands: section in %s", help).isNotNegative();
        String current = null;
        for (final String line : lines.subList(start + 1, lines.size()))
        {
            if (line.isBlank() || !line.startsWith("  "))
            {
                break;
            }
            final Matcher entry = ENTRY.matcher(line);
            if (entry.matches())
            {
                current = entry.group(1);
                summaries.put(current, entry.group(2).trim());
            }
            else
            {
                assertThat(current).as("a wrapped line before any command: %s", line).isNotNull();
                summaries.put(current, summaries.get(current) + " " + line.trim());
            }
        }
        return summaries;
    }
}
