package io.multikernel.node.vm;

import io.multikernel.node.vm.VmOperation.Create;
import io.multikernel.node.vm.VmOperation.Destroy;
import io.multikernel.node.vm.VmOperation.Protect;
import io.multikernel.node.vm.VmOperation.Shrink;
import io.multikernel.node.vm.VmOperation.Span;
import io.multikernel.node.vm.VmOperation.Unmap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VmOperationTest
{
    static List<VmOperation> operations()
    {
        return List.of(
            new Create(7, 11, 2, new int[] {0, 2, 5}),
            new Create(Long.MAX_VALUE, -1, Integer.MIN_VALUE, new int[0]),
            new VmOperation.Map(7, 99, 0x1234, 16, 21, 3, 5, 2),
            new Unmap(7, 0x1234, 16),
            new Protect(7, 0x1234, 16, 1),
            new Span(7, 3, new byte[] {1, 2, 3, 4, 5}),
            new Span(7, 3, new byte[0]),
            new Shrink(7, 3),
            new Destroy(7),
            new VmOperation.Expect(7, 0x1234, 16, new long[] {5, 9}),
            new VmOperation.Expect(7, 0, 0, new long[0]),
            new VmOperation.AtVersion(7, 42, new int[] {0, 3}),
            new VmOperation.AtVersion(7, Long.MAX_VALUE, new int[0]));
    }

    @ParameterizedTest
    @MethodSource("operations")
    void roundTripsThroughItsEncoding(final VmOperation operation)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = VmOperation.encodedLength(operation);
        VmOperation.encode(operation, buffer, 3);

        final VmOperation decoded = VmOperation.decode(buffer, 3, length);

        assertThat(decoded).isEqualTo(operation).hasSameHashCodeAs(operation);
        assertThat(decoded.toString()).isEqualTo(operation.toString());
    }

    @ParameterizedTest
    @MethodSource("operations")
    void refusesEveryOtherLength(final VmOperation operation)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = VmOperation.encodedLength(operation);
        VmOperation.encode(operation, buffer, 0);

        assertThatThrownBy(() -> VmOperation.decode(buffer, 0, length - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VmOperation.decode(buffer, 0, length + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesGarbage()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        assertThatThrownBy(() -> VmOperation.decode(buffer, 0, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("address space operation of 0 bytes is too short");
        buffer.putByte(0, (byte)9);
        assertThatThrownBy(() -> VmOperation.decode(buffer, 0, 9)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("address space operation kind 9 is unknown");
        buffer.putByte(0, (byte)0);
        buffer.putInt(1 + 8 + 12, -1, VmOperation.ORDER);
        assertThatThrownBy(() -> VmOperation.decode(buffer, 0, 25)).isInstanceOf(IllegalArgumentException.class);
        buffer.putByte(0, (byte)4);
        buffer.putInt(1 + 8 + 4, Integer.MAX_VALUE, VmOperation.ORDER);
        assertThatThrownBy(() -> VmOperation.decode(buffer, 0, 17)).isInstanceOf(IllegalArgumentException.class);
        buffer.putByte(0, (byte)8);
        buffer.putInt(1 + 8 + 8, Integer.MAX_VALUE, VmOperation.ORDER);
        assertThatThrownBy(() -> VmOperation.decode(buffer, 0, 21)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("address space operation of kind 8 has 21 bytes, not " + (21 + 4L * Integer.MAX_VALUE));
        buffer.putInt(1 + 8 + 8, -1, VmOperation.ORDER);
        assertThatThrownBy(() -> VmOperation.decode(buffer, 0, 21)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copiesItsArrays()
    {
        final int[] cores = {1, 2};
        final Create create = new Create(1, 2, 1, cores);
        cores[0] = 9;
        create.cores()[1] = 9;
        assertThat(create.cores()).containsExactly(1, 2);

        final byte[] image = {1};
        final Span span = new Span(1, 2, image);
        image[0] = 9;
        assertThat(span.domainImage()).containsExactly(1);

        final int[] seen = {0, 1};
        final VmOperation.AtVersion at = new VmOperation.AtVersion(1, 5, seen);
        seen[0] = 9;
        at.cores()[1] = 9;
        assertThat(at.cores()).containsExactly(0, 1);
    }

    @Test
    void locksTheDomainAndWhatTheOperationNames()
    {
        final AddressSpaces spaces = new AddressSpaces(0, 4, new CapabilityTable());
        assertThat(List.<Object>copyOf(spaces.lockKeys(new Create(7, 11, 0, new int[] {0}))))
            .containsExactly(new VmLock.DomainKey(7), new VmLock.RootKey(11));
        assertThat(List.<Object>copyOf(spaces.lockKeys(new VmOperation.Map(7, 1, 0, 1, 21, 0, 1, 0))))
            .containsExactly(new VmLock.DomainKey(7), new VmLock.FrameKey(21));
        assertThat(List.<Object>copyOf(spaces.lockKeys(new Unmap(7, 0, 1)))).containsExactly(new VmLock.DomainKey(7));
        assertThat(List.<Object>copyOf(spaces.lockKeys(new Span(7, 1, new byte[0])))).containsExactly(new VmLock.DomainKey(7));
        assertThat(List.<Object>copyOf(spaces.lockKeys(new VmOperation.AtVersion(7, 1, new int[] {0}))))
            .containsExactly(new VmLock.DomainKey(7));
        assertThat(new VmLock.DomainKey(7)).isEqualTo(new VmLock.DomainKey(7)).isNotEqualTo(new VmLock.RootKey(7));
    }
}
