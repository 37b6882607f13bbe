package io.multikernel.node.skb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class NameServiceTest
{
    private final NameService names = new NameService(Topology.of(new int[]{0, 1, 2}, new int[]{0, 0, 1}));

    @Test
    void registersLooksUpAndUnregisters()
    {
        names.register("memory.server", 1);
        names.register("memory.server", 1);
        names.register("vm-3", 2);

        assertThat(names.lookup("memory.server")).hasValue(1);
        assertThat(names.lookup("absent")).isEmpty();
        assertThat(names.snapshot()).containsExactly(Map.entry("memory.server", 1), Map.entry("vm-3", 2));

        names.unregister("memory.server", 1);
        assertThat(names.lookup("memory.server")).isEmpty();
        assertThat(names.size()).isEqualTo(1);
    }

    @Test
    void refusesANameHeldByAnotherCore()
    {
        names.register("monitor", 0);

        assertThatThrownBy(() -> names.register("monitor", 2)).isInstanceOf(NameServiceException.class)
            .hasMessage("service name 'monitor' is already registered to core 0; unregister it there first");
        assertThatThrownBy(() -> names.unregister("monitor", 2))
            .hasMessage("service name 'monitor' is registered to core 0, not core 2; only its core may unregister it");
        assertThat(names.lookup("monitor")).hasValue(0);
    }

    @Test
    void namesTheRuleABadNameBreaks()
    {
        assertThatThrownBy(() -> names.register("", 0)).isInstanceOf(NameServiceException.class)
            .hasMessage("service name '' must be 1..64 characters (SERVICE_NAME_LENGTH_MAX_CHARS), was 0");
        assertThatThrownBy(() -> names.lookup("x".repeat(65)))
            .hasMessage("service name 'xxxxxxxxxxxxxxxxxxxxxxxx...' must be 1..64 characters " +
                "(SERVICE_NAME_LENGTH_MAX_CHARS), was 65");
        assertThatThrownBy(() -> names.register("Memory", 0))
            .hasMessage("service name 'Memory' must start with a lower-case letter and hold only a-z, 0-9, '.', " +
                "'_' and '-'");
        assertThatThrownBy(() -> names.register("a b\n", 0))
            .hasMessage("service name 'a b?' must start with a lower-case letter and hold only a-z, 0-9, '.', " +
                "'_' and '-'");
        assertThatThrownBy(() -> names.lookup(null)).hasMessageContaining("'null'");
        assertThat(NameService.nameProblem("x".repeat(64))).isNull();
    }

    @Test
    void refusesUnknownCoresAndUnknownNames()
    {
        assertThatThrownBy(() -> names.register("svc", 7))
            .hasMessage("cannot register service name 'svc' to core 7: no such core");
        assertThatThrownBy(() -> names.unregister("svc", 0)).hasMessage("service name 'svc' is not registered");
    }

    @Test
    void dropsEveryNameOfADepartedCore()
    {
        names.register("a", 1);
        names.register("b", 2);
        names.register("c", 1);

        assertThat(names.unregisterAll(1)).isEqualTo(2);
        assertThat(names.snapshot()).containsExactly(Map.entry("b", 2));
        assertThat(names).hasToString("NameService{b->2}");
    }

    @Test
    void boundsTheRegistry()
    {
        for (int i = 0; i < NameService.SERVICE_COUNT_MAX; i++)
        {
            names.register("s" + i, i % 3);
        }

        assertThatThrownBy(() -> names.register("one-more", 0))
            .hasMessage("cannot register service name 'one-more': the registry holds 4096 names, " +
                "SERVICE_COUNT_MAX=4096");
        names.register("s0", 0);
    }
}
