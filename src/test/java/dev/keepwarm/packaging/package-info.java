/**
 * Tests of the packaging: the Dockerfile, the Docker Compose stack, the Helm chart, the
 * systemd unit and the Prometheus alerts. They read the files as the tools would, bind
 * the shipped configuration to the application's real properties records, start the
 * application from it against a fake Ollama, and run the tools' own checks (helm lint,
 * docker-compose config, promtool, systemd-analyze) when those tools are installed.
 */
package dev.keepwarm.packaging;
