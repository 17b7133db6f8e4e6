package haven.store;

import haven.protocol.Json;
import java.lang.reflect.Type;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;
import java.sql.Connection;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.ArgumentFactory;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.generic.GenericTypes;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.mapper.ColumnMapperFactory;

/**
 * How Java types meet Haven's columns, declared once for every statement: times are TEXT in
 * {@link Json#time} form on both dialects (fixed width, so they sort and compare as text, and the
 * hashed payloads carry the same spelling), and {@link Stored} enums are their stored words.
 * A value the column cannot hold is an error naming the column, never a silent null.
 */
public final class SqlTypes {
    private SqlTypes() {
    }

    /**
     * Declared SQL on a connection opened outside {@link Database} (a read-only copy for verify-log, a
     * hub's file read beside the log): the same types as every other statement. Closing the handle
     * closes the connection.
     */
    public static Handle open(Connection connection) {
        return configure(Jdbi.create(() -> connection)).open();
    }

    /** As {@link #open}, but the connection stays the caller's: closing the handle leaves it open. */
    public static Handle borrow(Connection connection) {
        return configure(Jdbi.create(new ConnectionFactory() {
            @Override
            public Connection openConnection() {
                return connection;
            }

            @Override
            public void closeConnection(Connection toClose) {
                // the caller closes it
            }
        })).open();
    }

    static Jdbi configure(Jdbi jdbi) {
        jdbi.setStatementBuilderFactory(connection -> new CachedStatements());
        jdbi.registerArgument(new InstantArgument());
        jdbi.registerColumnMapper(Instant.class, (rs, column, ctx) -> instant(rs, column));
        jdbi.registerArgument(new StoredArgument());
        jdbi.registerColumnMapper(new StoredColumns());
        return jdbi;
    }

    /**
     * A time column, as every statement's mapper reads it; for a row mapper that reads many columns by position
     * without asking Jdbi for each column's mapper per row (the incident row, read on every ingested worry).
     */
    public static Instant instant(ResultSet rs, int column) throws SQLException {
        String text = rs.getString(column);
        return text == null ? null : Json.readTime(text);
    }

    /** A {@link Stored} enum column, as every statement's mapper reads it; a word none of them has is an error naming the column. */
    public static <E extends Stored> E stored(ResultSet rs, int column, E[] constants) throws SQLException {
        return stored(rs, column, (Object[]) constants);
    }

    @SuppressWarnings("unchecked")
    private static <E> E stored(ResultSet rs, int column, Object[] constants) throws SQLException {
        String text = rs.getString(column);
        if (text == null) {
            return null;
        }
        Optional<Stored> constant = Stored.among(constants, text);
        if (constant.isPresent()) {
            return (E) constant.get();
        }
        throw new IllegalStateException("column " + rs.getMetaData().getColumnName(column)
                + " holds '" + text + "', not one of " + constants.getClass().getComponentType().getSimpleName() + "'s stored values");
    }

    private static final class InstantArgument extends AbstractArgumentFactory<Instant> {
        InstantArgument() {
            super(Types.VARCHAR);
        }

        @Override
        protected Argument build(Instant value, ConfigRegistry config) {
            return (position, statement, ctx) -> statement.setString(position, Json.time(value));
        }
    }

    private static final class StoredArgument implements ArgumentFactory.Preparable {
        @Override
        public Optional<java.util.function.Function<Object, Argument>> prepare(Type type, ConfigRegistry config) {
            if (!Stored.class.isAssignableFrom(GenericTypes.getErasedType(type))) {
                return Optional.empty();
            }
            return Optional.of(value -> (position, statement, ctx) -> {
                if (value == null) {
                    statement.setNull(position, Types.VARCHAR);
                } else {
                    statement.setString(position, ((Stored) value).stored());
                }
            });
        }
    }

    private static final class StoredColumns implements ColumnMapperFactory {
        @Override
        public Optional<ColumnMapper<?>> build(Type type, ConfigRegistry config) {
            Class<?> raw = GenericTypes.getErasedType(type);
            if (!raw.isEnum() || !Stored.class.isAssignableFrom(raw)) {
                return Optional.empty();
            }
            Object[] constants = raw.getEnumConstants();
            return Optional.of((rs, column, ctx) -> stored(rs, column, constants));
        }
    }
}
