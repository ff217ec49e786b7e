/** The test broker's bootstrap servers ("host:port,..."); fails loudly when the global setup did not start one. */
export function kafkaBootstrap(): string {
  const servers = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (!servers) throw new Error('KAFKA_BOOTSTRAP_SERVERS is not set: test/kafka/global-setup.ts should have started the broker');
  return servers;
}
