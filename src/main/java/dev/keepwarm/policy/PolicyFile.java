package dev.keepwarm.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.validation.Validator;

/**
 * The {@code keepwarm.policy-file}: a YAML document shaped like application.yml whose
 * {@code keepwarm.policy} is bound the way Boot binds application.yml (same conversions,
 * constructor checks and JSR-303 constraints).
 */
final class PolicyFile {

    static final String PROPERTY = "keepwarm.policy-file";

    private static final String PREFIX = "keepwarm.policy";

    private static final ApplicationConversionService CONVERSIONS = new ApplicationConversionService();

    static {
        // as PolicyConfiguration adds it for application.yml
        CONVERSIONS.addConverter(new NumberToKeepAliveConverter());
    }

    private final Path path;

    private final @Nullable Validator validator;

    /**
     * @param validator the application's validator; null binds without JSR-303 validation
     */
    PolicyFile(Path path, @Nullable Validator validator) {
        this.path = path;
        this.validator = validator;
    }

    Path path() {
        return path;
    }

    /**
     * Reads the file at start-up.
     * @throws InvalidConfigurationPropertyValueException naming keepwarm.policy-file, the
     * file and the problem
     */
    Policies load() {
        try {
            return parse(Files.readAllBytes(path));
        }
        catch (NoSuchFileException e) {
            throw invalidProperty("the file does not exist");
        }
        catch (IOException e) {
            throw invalidProperty("the file cannot be read: " + e);
        }
        catch (InvalidPolicyFileException e) {
            throw invalidProperty(e.getMessage());
        }
    }

    /** Binds and validates the file's keepwarm.policy from the content given. */
    Policies parse(byte[] content) throws InvalidPolicyFileException {
        List<PropertySource<?>> documents;
        try {
            documents = new ArrayList<>(new YamlPropertySourceLoader().load(path.toString(),
                    new ByteArrayResource(content, path.toString())));
        }
        // SnakeYAML reports syntax errors as runtime exceptions
        catch (IOException | RuntimeException e) {
            throw new InvalidPolicyFileException("not valid YAML: " + oneLine(e.getMessage()));
        }
        // of several YAML documents the later ones win, as in application.yml
        Collections.reverse(documents);
        Binder binder = new Binder(ConfigurationPropertySources.from(documents), null, CONVERSIONS, null);
        BindHandler handler = validator == null ? BindHandler.DEFAULT : new ValidationBindHandler(validator);
        try {
            return binder.bind(PREFIX, Bindable.of(PolicyProperties.class), handler)
                .map(Policies::new)
                .orElseThrow(() -> new InvalidPolicyFileException("it has no " + PREFIX + " section"));
        }
        catch (BindException e) {
            throw new InvalidPolicyFileException(BindFailures.describe(e));
        }
    }

    private InvalidConfigurationPropertyValueException invalidProperty(String reason) {
        // the value names the file
        return new InvalidConfigurationPropertyValueException(PROPERTY, path, reason);
    }

    private static String oneLine(@Nullable String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * Why the file's policies cannot be used, in one line naming the property and value
     * at fault.
     */
    static final class InvalidPolicyFileException extends Exception {

        InvalidPolicyFileException(String message) {
            super(message);
        }

        @Override
        public String getMessage() {
            return String.valueOf(super.getMessage());
        }

    }

}
