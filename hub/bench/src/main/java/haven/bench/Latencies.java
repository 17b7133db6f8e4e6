package haven.bench;

import java.util.Arrays;
import java.util.Locale;

/** A latency sample summarised the way the targets are written: p50, p99, max (nearest rank), in ms. */
record Latencies(int count, double p50, double p99, double max, double mean) {

    static Latencies of(long[] nanos, int count) {
        if (count == 0) {
            return new Latencies(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        return new Latencies(count, ms(rank(sorted, 0.50)), ms(rank(sorted, 0.99)), ms(sorted[count - 1]),
                ms((long) Arrays.stream(sorted).average().orElse(0)));
    }

    private static long rank(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    String line() {
        return String.format(Locale.ROOT, "n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms mean=%.2f ms", count, p50, p99, max, mean);
    }
}
