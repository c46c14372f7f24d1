//! Calibration on the student's own mock exams: how predicted recall (FSRS
//! retrievability when the exam was taken) compares with what they scored,
//! and a logistic fit of outcome on predicted recall (Platt scaling) that
//! adjusts the expected score once there are enough answers.

/// The fewest answered exam questions before a fit is trusted.
pub const MIN_ANSWERS: usize = 50;

/// A fitted adjustment: `P(right) = σ(a + b · logit(predicted))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// The intercept.
    pub a: f64,
    /// The slope on the predicted recall's log-odds.
    pub b: f64,
    /// How many answers it was fitted on.
    pub answers: usize,
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(0.02, 0.98);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Calibration {
    /// The identity: predicted recall is taken as it is.
    pub const IDENTITY: Calibration = Calibration { a: 0.0, b: 1.0, answers: 0 };

    /// The adjusted chance of a right answer for a predicted recall.
    pub fn adjust(&self, predicted: f32) -> f32 {
        sigmoid(self.a + self.b * logit(f64::from(predicted))) as f32
    }

    /// Fits the adjustment to (predicted recall, points earned 0 to 1)
    /// pairs by Newton's method on the log-likelihood, with a weak pull
    /// towards the identity so that a small or one-sided history cannot
    /// run away. `None` with fewer than [`MIN_ANSWERS`] pairs.
    pub fn fit(pairs: &[(f32, f32)]) -> Option<Calibration> {
        if pairs.len() < MIN_ANSWERS {
            return None;
        }
        const PULL: f64 = 1.0;
        let (mut a, mut b) = (0.0f64, 1.0f64);
        for _ in 0..50 {
            // Gradient and Hessian of the penalised negative log-likelihood.
            let (mut ga, mut gb) = (PULL * a, PULL * (b - 1.0));
            let (mut haa, mut hab, mut hbb) = (PULL, 0.0, PULL);
            for &(p, y) in pairs {
                let x = logit(f64::from(p));
                let q = sigmoid(a + b * x);
                let r = q - f64::from(y.clamp(0.0, 1.0));
                ga += r;
                gb += r * x;
                let w = q * (1.0 - q);
                haa += w;
                hab += w * x;
                hbb += w * x * x;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-12 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if da.abs() < 1e-9 && db.abs() < 1e-9 {
                break;
            }
        }
        (a.is_finite() && b.is_finite()).then_some(Calibration { a, b, answers: pairs.len() })
    }
}

/// Predicted against actual over past attempts: (mean predicted, mean
/// scored, exams, answers), from (predicted, points) per question grouped
/// by attempt. `None` when no attempt kept its predictions.
pub fn compare(attempts: &[Vec<(f32, f32)>]) -> Option<(f32, f32, usize, usize)> {
    let kept: Vec<&Vec<(f32, f32)>> = attempts.iter().filter(|a| !a.is_empty()).collect();
    let answers: usize = kept.iter().map(|a| a.len()).sum();
    if answers == 0 {
        return None;
    }
    let predicted: f32 = kept.iter().flat_map(|a| a.iter().map(|p| p.0)).sum::<f32>() / answers as f32;
    let scored: f32 = kept.iter().flat_map(|a| a.iter().map(|p| p.1)).sum::<f32>() / answers as f32;
    Some((predicted, scored, kept.len(), answers))
}
