package haven.classroom.isolation;


/**
 * Cuts one pupil computer off the network, or lets it back on, without touching the computer itself.
 * Policy: "isolate the computer as best you can — any change to its state may hinder a later police
 * investigation". So a backend only ever changes the network around the machine (the gateway's firewall,
 * a NAC/firewall API, or a person unplugging the cable), never the machine's own link, address or power.
 *
 * <p>Implementations never throw for an operational failure (binary missing, HTTP 503, ...): they return
 * an {@link IsolationResult} with {@code applied=false} and a reason, so the caller can fall back to
 * {@link ManualIsolator}'s instructions. Both methods are idempotent: isolating an isolated machine or
 * releasing a released one succeeds and changes nothing.
 *
 * <p>Backends (docs/ISOLATION.md): {@link NftablesIsolator}, {@link WebhookIsolator},
 * {@link ManualIsolator}. SNMP is not implemented (docs/ISOLATION.md says why).
 */
public interface Isolator {

    /** Cuts the machine's network traffic and checks that the cut is in force. */
    IsolationResult isolate(Machine machine);

    /** Lets the machine's traffic flow again. Callers release only after the coordinator's two-senior release rule allows it. */
    IsolationResult release(Machine machine);

    /** The backend's name as configured and reported in {@code isolation.applied}: nftables, webhook, manual. */
    String backend();
}
