//! The reader's number for a widget that asks one (`cvp_model::guess::Ask`): a number and a
//! reason, entered before the run. The run takes the guess as it stands when it starts, and
//! the reveal scores that one; a guess changed after the run is shown, not scored. What is
//! asked and how it is scored are the model's; the sentence is `cvp_scene::prose`'s.

use crate::dom::{el, listener, Listener};
use cvp_model::guess::{Ask, Number, Outcome, Unit};
use cvp_scene::prose::number_reveal;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// The guess's controls and the sentence that scores it, cheap to clone.
#[derive(Clone)]
pub struct GuessBox(Rc<Inner>);

struct Inner {
    ask: &'static Ask,
    controls: Element,
    input: HtmlInputElement,
    select: HtmlSelectElement,
    said: Element,
    /// The guess as the latest run found it when it started: the one scored.
    taken: Cell<Number>,
    /// The latest run's outcome, once revealed.
    outcome: Cell<Option<Outcome>>,
    /// Rewrites the sentence when the guess changes after a reveal.
    change: RefCell<Option<Listener>>,
}

impl GuessBox {
    /// The controls for `ask`, empty, and an empty sentence.
    pub fn new(ask: &'static Ask) -> GuessBox {
        let input: HtmlInputElement = el("input")
            .attr("type", "number")
            .attr("name", &format!("guess-{}", ask.key))
            .attr("min", &ask.min.to_string())
            .attr("max", &ask.max.to_string())
            .attr("step", &ask.step.to_string())
            .attr("inputmode", "decimal")
            .build()
            .unchecked_into();
        let unit = match ask.unit {
            Unit::Times => "times as fast",
            Unit::Ms => "ms",
            Unit::Percent => "%",
        };
        let select: HtmlSelectElement = el("select")
            .attr("name", &format!("why-{}", ask.key))
            .child(el("option").attr("value", "").text("(pick a reason)").build())
            .children(ask.reasons.iter().map(|c| el("option").attr("value", c.key).text(c.words).build()))
            .build()
            .unchecked_into();
        let controls = el("div")
            .class("predict cvp-guess")
            .attr("data-guess", ask.key)
            .child(
                el("fieldset")
                    .class("predict-number")
                    .child(el("legend").text(ask.question))
                    .child(el("label").text(ask.label).child(&input).child(el("span").text(unit).build()))
                    .child(el("label").text("because").child(&select))
                    .build(),
            )
            .build();
        let said =
            el("p").class("predict-reveal").attr("data-say", "guess").attr("aria-live", "polite").build();
        let guess = GuessBox(Rc::new(Inner {
            ask,
            controls: controls.clone(),
            input,
            select,
            said,
            taken: Cell::new(Number::default()),
            outcome: Cell::new(None),
            change: RefCell::new(None),
        }));
        let weak = Rc::downgrade(&guess.0);
        let change = listener(&controls, "change", move |_| {
            if let Some(inner) = weak.upgrade() {
                GuessBox(inner).write();
            }
        });
        *guess.0.change.borrow_mut() = Some(change);
        guess
    }

    /// The controls, for the widget's head.
    pub fn controls(&self) -> Element {
        self.0.controls.clone()
    }

    /// The sentence that scores the guess, for the widget's body.
    pub fn said(&self) -> Element {
        self.0.said.clone()
    }

    /// The guess as the controls hold it now.
    fn read(&self) -> Number {
        self.0.ask.number(self.0.input.value_as_number(), &self.0.select.value())
    }

    /// A run starts: the guess as it stands is the one its outcome will score.
    pub fn take(&self) {
        self.0.taken.set(self.read());
        self.0.outcome.set(None);
        self.0.said.set_text_content(None);
    }

    /// The run's `outcome`: scores the guess taken when it started.
    pub fn reveal(&self, outcome: Outcome) {
        self.0.outcome.set(Some(outcome));
        self.write();
    }

    /// Writes the sentence: the taken guess scored, or the guess changed since shown
    /// unscored; nothing before an outcome or without a number.
    fn write(&self) {
        let Some(outcome) = self.0.outcome.get() else { return };
        let (taken, now) = (self.0.taken.get(), self.read());
        let text = if now == taken {
            number_reveal(self.0.ask, &taken, &outcome, false)
        } else {
            number_reveal(self.0.ask, &now, &outcome, true)
        };
        self.0.said.set_text_content(text.as_deref());
    }
}
