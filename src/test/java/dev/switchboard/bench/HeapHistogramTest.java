package dev.switchboard.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapHistogramTest {

    private static final String BEFORE = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          1000          80000  [B (java.base@17.0.15)
               2:           500          12000  java.lang.String (java.base@17.0.15)
               3:            10            640  org.glassfish.tyrus.core.TyrusSession
            Total          1510          92640
            """;

    private static final String AFTER = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          3000         280000  [B (java.base@17.0.15)
               2:          1010          64640  org.glassfish.tyrus.core.TyrusSession
               3:           400           9600  java.lang.String (java.base@17.0.15)
               4:           100           3200  [Ljava.lang.Object; (java.base@17.0.15)
            Total          4510         357440
            """;

    @Test
    void readsJcmdsRowsAndTotal() throws IOException {
        HeapHistogram h = HeapHistogram.parse(BEFORE);
        assertEquals(92_640, h.totalBytes());
        assertEquals(new HeapHistogram.Entry(1000, 80_000), h.classes().get("[B"));
        assertEquals(3, h.classes().size());
    }

    @Test
    void growthIsTheClassesThatGrewMostBytesFirst() throws IOException {
        List<HeapHistogram.Growth> growth = HeapHistogram.parse(AFTER).growthSince(HeapHistogram.parse(BEFORE), 2);
        assertEquals(List.of(new HeapHistogram.Growth("[B", 2000, 200_000),
                new HeapHistogram.Growth("org.glassfish.tyrus.core.TyrusSession", 1000, 64_000)), growth);
    }

    @Test
    void perConnectionLinesNameClassesAsJavaDoes() throws IOException {
        HeapHistogram before = HeapHistogram.parse(BEFORE);
        HeapHistogram after = HeapHistogram.parse(AFTER);
        String text = HeapHistogram.perConnection("payara", 1000, after.totalBytes() - before.totalBytes(),
                after.growthSince(before, 10));
        assertTrue(text.startsWith("heap per idle connection, payara: 0.3 KiB (1000 connections"), text);
        assertTrue(text.contains("200 B    2.0×  byte[]"), text);
        assertTrue(text.contains("java.lang.Object[]"), text);
        assertTrue(!text.contains("java.lang.String"), text); // it shrank
    }

    @Test
    void somethingElseIsNotAHistogram() {
        assertThrows(IOException.class, () -> HeapHistogram.parse("12345:\ncom.sun.tools.attach.AttachNotSupportedException\n"));
    }

    @Test
    void readableNames() {
        assertEquals("int[][]", HeapHistogram.readable("[[I"));
        assertEquals("java.util.HashMap$Node[]", HeapHistogram.readable("[Ljava.util.HashMap$Node;"));
        assertEquals("java.lang.String", HeapHistogram.readable("java.lang.String"));
    }

    @Test
    void aRunningJvmHasAHistogram() throws Exception {
        HeapHistogram self = HeapHistogram.of(ProcessHandle.current().pid());
        assertTrue(self.totalBytes() > 0 && self.classes().containsKey("java.lang.String"), self.classes().keySet().toString());
    }
}
