/// The colours of data series and runs, distinct for colour-blind readers (Okabe and Ito's
/// palette without its yellow); the colour of index `i` is `colors[i % colors.count]`.
public enum ChartPalette {
    public static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

    /// The colour of series or run `index`.
    public static func color(_ index: Int) -> String { colors[index % colors.count] }
}
