package haven.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a composition root has started, closed in reverse order (docs/ARCHITECTURE.md, "Threads and lifecycle": the root closes its parts in
 * reverse). One failing close is logged and the rest still close.
 */
public final class Owned implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Owned.class);

    private final String owner;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    public Owned(String owner) {
        this.owner = owner;
    }

    public <T extends AutoCloseable> T add(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                log.warn("close failed owner={} reason={}", owner, e.getMessage());
            }
        }
    }
}
