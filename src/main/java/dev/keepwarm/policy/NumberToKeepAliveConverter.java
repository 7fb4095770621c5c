package dev.keepwarm.policy;

import java.math.BigDecimal;

import org.springframework.core.convert.converter.Converter;

/**
 * Binds keep-alives that YAML reads as numbers ({@code keep-alive: 300}, {@code -1} or
 * {@code 0}): Boot hands them over as Integer or Double, which
 * {@link KeepAlive#valueOf(String)} cannot take. Same meaning as the string forms.
 */
final class NumberToKeepAliveConverter implements Converter<Number, KeepAlive> {

    @Override
    public KeepAlive convert(Number seconds) {
        return KeepAlive.parse(new BigDecimal(seconds.toString()).toPlainString());
    }

}
