package haven.cli;

import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.store.Database;
import haven.store.DatabaseLocation;
import java.nio.file.Path;
import java.sql.SQLException;
import picocli.CommandLine.Option;

/** The coordinator database an admin command works on: from coordinator.yaml, or a SQLite file given directly. */
final class CoordinatorDatabase {
    @Option(names = "--config", description = "coordinator.yaml (to find the database: a SQLite file or PostgreSQL)")
    Path config;

    @Option(names = "--db", description = "coordinator SQLite file (instead of --config)")
    Path db;

    DatabaseLocation location() {
        if (db != null) {
            return DatabaseLocation.file(db);
        }
        if (config != null) {
            return CoordinatorConfig.from(ConfigFile.load(config)).database();
        }
        throw new IllegalArgumentException("give --config coordinator.yaml or --db FILE");
    }

    Database open() throws SQLException {
        return location().open("db/coordinator");
    }
}
