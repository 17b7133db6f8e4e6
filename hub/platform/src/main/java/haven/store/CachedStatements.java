package haven.store;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Keeps each declared statement prepared for the life of its handle, so the ingest path's statements are
 * compiled once, not once per event: SQLite compiles a statement on every {@code prepareStatement}, which cost
 * more than the insert it runs (issue 20). Jdbi hands a statement back through {@link #close(Connection,
 * String, Statement)} when it is done with it; the statement is then free for the next use of the same SQL.
 *
 * <p>A statement still in use when the same SQL is asked for again (a loop over a query's rows that runs the same
 * query inside) gets a fresh, uncached one, so two uses never share a result set. Statements Jdbi closed itself
 * (it does when execution fails) are prepared again. The cache is bounded: the least recently used statement
 * is closed when {@value #MAX} are kept, so SQL built at run time (a verify of each table) cannot grow it.
 */
final class CachedStatements implements StatementBuilder {
    static final int MAX = 256;

    private final DefaultStatementBuilder plain = new DefaultStatementBuilder();
    /** Statements handed out while Jdbi still holds them. */
    private final Set<Statement> busy = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The SQL each kept statement was prepared for. */
    private final Map<Statement, String> sqlOf = new IdentityHashMap<>();
    /** One kept statement per SQL, busy or idle, least recently used first. */
    private final Map<String, PreparedStatement> kept = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() <= MAX || busy.contains(eldest.getValue())) {
                return false;
            }
            sqlOf.remove(eldest.getValue());
            quietlyClose(eldest.getValue());
            return true;
        }
    };

    @Override
    public Statement create(Connection conn, StatementContext ctx) throws SQLException {
        return plain.create(conn, ctx);
    }

    @Override
    public synchronized PreparedStatement create(Connection conn, String sql, StatementContext ctx) throws SQLException {
        if (ctx.isReturningGeneratedKeys() || ctx.isConcurrentUpdatable()) {
            return plain.create(conn, sql, ctx); // other prepare flags: not worth a second key
        }
        PreparedStatement known = kept.get(sql);
        if (known != null && known.isClosed()) {
            forget(known);
            known = null;
        }
        if (known != null && busy.contains(known)) {
            return conn.prepareStatement(sql); // the same SQL inside its own loop: a statement of its own
        }
        if (known == null) {
            known = conn.prepareStatement(sql);
            kept.put(sql, known);
            sqlOf.put(known, sql);
        }
        busy.add(known);
        return known;
    }

    @Override
    public CallableStatement createCall(Connection conn, String sql, StatementContext ctx) throws SQLException {
        return plain.createCall(conn, sql, ctx);
    }

    @Override
    public synchronized void close(Connection conn, String sql, Statement stmt) throws SQLException {
        if (!busy.remove(stmt)) {
            stmt.close(); // not one of ours
            return;
        }
        if (stmt.isClosed()) {
            forget(stmt);
            return;
        }
        try {
            PreparedStatement ps = (PreparedStatement) stmt;
            ps.clearParameters();
            ps.clearBatch();
        } catch (SQLException e) {
            forget(stmt);
            quietlyClose(stmt);
        }
    }

    /** The handle is closing: every statement it kept goes with it. */
    @Override
    public synchronized void close(Connection conn) {
        kept.values().forEach(CachedStatements::quietlyClose);
        kept.clear();
        sqlOf.clear();
        busy.clear();
    }

    /** How many statements are kept prepared (tests). */
    synchronized int size() {
        return kept.size();
    }

    private void forget(Statement stmt) {
        String sql = sqlOf.remove(stmt);
        if (sql != null) {
            kept.remove(sql);
        }
        busy.remove(stmt);
    }

    private static void quietlyClose(Statement stmt) {
        try {
            stmt.close();
        } catch (SQLException e) {
            // closing a statement of a handle that is going: nothing to keep
        }
    }
}
