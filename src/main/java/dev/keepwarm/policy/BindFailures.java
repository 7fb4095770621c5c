package dev.keepwarm.policy;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * A binding failure in one line with what Boot's failure analyzers print on several: the
 * property, its value, where it was written and the reason. For the WARN a bad policy
 * file gets, which stops nothing.
 */
final class BindFailures {

    private BindFailures() {
    }

    static String describe(BindException failure) {
        BindValidationException validation = find(failure, BindValidationException.class);
        if (validation != null) {
            return validation.getValidationErrors()
                .getAllErrors()
                .stream()
                .map(BindFailures::describe)
                .collect(Collectors.joining("; "));
        }
        String name = failure.getName().toString();
        ConfigurationProperty property = failure.getProperty();
        // a constructor check fails on the object, while the property is then the last
        // key bound inside it
        String subject = property != null && property.getName().toString().equals(name)
                ? property(name, property.getValue(), property.getOrigin()) : name;
        return subject + ": " + reason(failure);
    }

    private static String describe(ObjectError error) {
        if (error instanceof FieldError field) {
            return property(field.getObjectName() + "." + field.getField(), field.getRejectedValue(),
                    Origin.from(field)) + ": " + field.getDefaultMessage();
        }
        return error.getObjectName() + ": " + error.getDefaultMessage();
    }

    private static String property(String name, @Nullable Object value, @Nullable Origin origin) {
        String text = name + " = \"" + value + "\"";
        TextResourceOrigin.Location location = location(origin);
        return location == null ? text : text + " (line " + (location.getLine() + 1) + ")";
    }

    /** Where in the file: the YAML origin, found under the property source's. */
    private static TextResourceOrigin.@Nullable Location location(@Nullable Origin origin) {
        for (Origin o = origin; o != null; o = o instanceof PropertySourceOrigin source ? source.getOrigin() : null) {
            if (o instanceof TextResourceOrigin resource) {
                return resource.getLocation();
            }
        }
        return null;
    }

    private static String reason(BindException failure) {
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(failure);
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        ConversionFailedException conversion = find(failure, ConversionFailedException.class);
        Object[] constants = conversion == null ? null : conversion.getTargetType().getType().getEnumConstants();
        if (constants != null) {
            reason += " (valid values: " + Arrays.stream(constants)
                .map(constant -> constant.toString().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", ")) + ")";
        }
        return reason;
    }

    private static <T extends Throwable> @Nullable T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

}
