package io.wgguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BodyBudgetTest {

  @Test
  void reservesUpToTheLimitAndNoFurther() {
    BodyBudget budget = new BodyBudget(10);

    assertThat(budget.tryReserve(4)).isTrue();
    assertThat(budget.tryReserve(6)).isTrue();
    assertThat(budget.tryReserve(1)).as("full").isFalse();
    assertThat(budget.inFlight()).isEqualTo(10);

    budget.release(6);

    assertThat(budget.tryReserve(7)).as("7 over 4 in flight").isFalse();
    assertThat(budget.tryReserve(6)).isTrue();
  }

  @Test
  void aRefusedReservationTakesNothing() {
    BodyBudget budget = new BodyBudget(10);
    budget.tryReserve(8);

    assertThat(budget.tryReserve(5)).isFalse();

    assertThat(budget.inFlight()).isEqualTo(8);
  }

  @Test
  void aBudgetMustBePositive() {
    assertThatThrownBy(() -> new BodyBudget(0))
        .hasMessage("wgguard.admission.body-budget-bytes is 0; use a positive number of bytes");
  }
}
