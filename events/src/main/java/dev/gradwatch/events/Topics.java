package dev.gradwatch.events;

/** Default Kafka topic names; every component lets configuration override them. */
public final class Topics {
    public static final String STATS = "gradient-stats";
    public static final String STATS_DEAD_LETTER = "gradient-stats-dlq";
    public static final String ALERTS = "gradient-alerts";
    public static final String CONTROL = "trainer-control";
    public static final String ACKS = "trainer-acks";

    private Topics() {
    }
}
