package dev.keepwarm;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * keepwarm: a reactive proxy in front of Ollama that keeps the models people depend on
 * warm.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class KeepwarmApplication {

    public static void main(String[] args) {
        SpringApplication.run(KeepwarmApplication.class, args);
    }

}
