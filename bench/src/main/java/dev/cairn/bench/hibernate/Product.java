package dev.cairn.bench.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** The benchmark's cached entity: a few columns of the usual kinds, an enum among them. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Product {
    /** An enum attribute, cached as the constant. */
    public enum Category {
        BOOKS, MUSIC, GAMES
    }

    @Id
    private Long id;
    private String name;
    private String description;
    private BigDecimal price;
    private int stock;
    private LocalDate added;
    @Enumerated(EnumType.STRING)
    private Category category;

    protected Product() {
    }

    public Product(long id) {
        this.id = id;
        this.name = "product " + id;
        this.description = "a product of the benchmark, number " + id + ", with a description of some length";
        this.price = BigDecimal.valueOf(id % 1000, 2);
        this.stock = (int) (id % 97);
        this.added = LocalDate.of(2026, 1, 1).plusDays(id % 300);
        this.category = Category.values()[(int) (id % 3)];
    }

    public String getName() {
        return name;
    }
}
