package haven.classroom.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MachineTest {

    @Test
    void aValidMachineKeepsItsValues() {
        Machine m = new Machine("PC-07", "02:00:5e:91:01:02", "fd00:91::2");
        assertTrue(m.ipv6());
        assertEquals("fd00:91::2", m.ip());
        assertFalse(new Machine("PC-07", "02:00:5e:91:01:02", "10.0.0.7").ipv6());
    }

    @ParameterizedTest(name = "{0} / {1} / {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "''                                 | 02:00:5e:00:00:01 | 10.0.0.7           | machine name must be 1..32",
            "a-name-that-is-far-too-long-for-a-pc | 02:00:5e:00:00:01 | 10.0.0.7         | machine name must be 1..32",
            "PC-07 | 02:00:5E:00:00:01 | 10.0.0.7          | mac must be lowercase",
            "PC-07 | 02-00-5e-00-00-01 | 10.0.0.7          | mac must be lowercase",
            "PC-07 | 01:00:5e:00:00:01 | 10.0.0.7          | mac must be a unicast",
            "PC-07 | 02:00:5e:00:00:01 | 10.0.0.256        | ip must be an IPv4 or IPv6",
            "PC-07 | 02:00:5e:00:00:01 | 010.0.0.7         | ip must be an IPv4 or IPv6",
            "PC-07 | 02:00:5e:00:00:01 | pc07.school.local | ip must be an IPv4 or IPv6",
            "PC-07 | 02:00:5e:00:00:01 | 10.0.0.7; flush   | ip must be an IPv4 or IPv6",
            "PC-07 | 02:00:5e:00:00:01 | fd00:::1          | ip must be an IPv4 or IPv6",
            "PC-07 | 02:00:5e:00:00:01 | fe80::1%eth0      | ip must be an IPv4 or IPv6",
            "PC-07 | 02:00:5e:00:00:01 | 127.0.0.1         | ip must be the unicast address",
            "PC-07 | 02:00:5e:00:00:01 | ::ffff:10.0.0.7   | not IPv4-mapped",
    })
    void aBadFieldIsRefusedByName(String name, String mac, String ip, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Machine(name, mac, ip));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
