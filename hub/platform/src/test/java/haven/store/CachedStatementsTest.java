package haven.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A declared statement is compiled once per handle, however often it runs (issue 20: "prepared statements are reused"). */
class CachedStatementsTest {
    @TempDir
    Path dir;

    private final AtomicInteger prepared = new AtomicInteger();

    private Handle handle() throws Exception {
        Connection real = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
        Connection counting = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (p, m, args) -> {
                    if (m.getName().equals("prepareStatement")) {
                        prepared.incrementAndGet();
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Handle h = SqlTypes.open(counting);
        h.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        prepared.set(0);
        return h;
    }

    @Test
    void theSameStatementIsPreparedOnceAndKeepsNoBindingsBetweenUses() throws Exception {
        try (Handle h = handle()) {
            for (int i = 0; i < 200; i++) {
                h.createUpdate("INSERT INTO t(id, v) VALUES (:id, :v)").bind("id", i).bind("v", "v" + i).execute();
                assertEquals("v" + i, h.createQuery("SELECT v FROM t WHERE id = :id").bind("id", i).mapTo(String.class).one());
            }
            assertEquals(2, prepared.get(), "one INSERT and one SELECT, each compiled once");
            assertEquals(200, h.createQuery("SELECT count(*) FROM t").mapTo(Integer.class).one());
        }
    }

    @Test
    void aQueryRunInsideItsOwnLoopGetsAStatementOfItsOwn() throws Exception {
        try (Handle h = handle()) {
            for (int i = 0; i < 5; i++) {
                h.createUpdate("INSERT INTO t(id, v) VALUES (:id, :v)").bind("id", i).bind("v", "v" + i).execute();
            }
            String sql = "SELECT id FROM t WHERE id >= :from ORDER BY id";
            List<Integer> outer = new ArrayList<>();
            List<Integer> inner = new ArrayList<>();
            try (var rows = h.createQuery(sql).bind("from", 0).mapTo(Integer.class).iterator()) {
                while (rows.hasNext()) {
                    int id = rows.next();
                    outer.add(id);
                    inner.add(h.createQuery(sql).bind("from", id).mapTo(Integer.class).list().size());
                }
            }
            assertEquals(List.of(0, 1, 2, 3, 4), outer, "the outer loop saw every row: its result set was not reused inside");
            assertEquals(List.of(5, 4, 3, 2, 1), inner);
        }
    }

    @Test
    void aStatementThatFailedIsPreparedAgainAndStillWorks() throws Exception {
        try (Handle h = handle()) {
            String sql = "INSERT INTO t(id, v) VALUES (:id, :v)";
            h.createUpdate(sql).bind("id", 1).bind("v", "a").execute();
            assertThrows(UnableToExecuteStatementException.class, () -> h.createUpdate(sql).bind("id", 1).bind("v", "b").execute());
            h.createUpdate(sql).bind("id", 2).bind("v", "c").execute();
            assertEquals(List.of("a", "c"), h.createQuery("SELECT v FROM t ORDER BY id").mapTo(String.class).list());
        }
    }

    @Test
    void sqlMadeAtRunTimeCannotGrowTheCacheWithoutBound() throws Exception {
        try (Handle h = handle()) {
            for (int i = 0; i < CachedStatements.MAX + 50; i++) {
                h.createQuery("SELECT " + i).mapTo(Integer.class).one();
            }
            CachedStatements kept = (CachedStatements) h.getStatementBuilder();
            assertTrue(kept.size() <= CachedStatements.MAX, "kept " + kept.size());
        }
    }
}
