import ArgumentParser
import Datasets

/// The random augmentation of training images (the paper's "random crops and horizontal flips" on CIFAR-10):
/// `--augment none|crop|flip|crop-flip` with `--crop-padding P`. Test images, scoring aside, are never augmented:
/// the test loader and `ilnas evaluate` apply none.
///
/// Recorded in `config.json` (and `data.json`) as `{"cropPadding": P, "horizontalFlip": true}`; the `true`/`false`
/// of runs made before it (`--augment` was a flag for crops with padding 2) still read, as what they were.
struct Augmentation: Codable, Equatable, CustomStringConvertible {
    /// The modes of `--augment`.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case none, crop, flip, cropFlip = "crop-flip"
    }

    /// Zero pixels added on each side before a random crop of the original size; 0: no crops.
    var cropPadding: Int
    /// Whether each image is mirrored left to right with probability 1/2.
    var horizontalFlip: Bool

    static let none = Augmentation(cropPadding: 0, horizontalFlip: false)

    init(cropPadding: Int, horizontalFlip: Bool) {
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
    }

    init(mode: Mode, cropPadding: Int) {
        self.init(cropPadding: mode == .crop || mode == .cropFlip ? cropPadding : 0,
                  horizontalFlip: mode == .flip || mode == .cropFlip)
    }

    /// The default of a dataset format: random crops with 4 pixels of padding and flips for photographs (CIFAR, STL-10,
    /// image folders), none for digits and other IDX data (`nil`: the embedded digits), whose classes a mirror changes.
    static func standard(for format: DatasetFormat?) -> Mode {
        switch format {
        case .cifar10Binary, .cifar100Binary, .stl10Binary, .imageFolders: .cropFlip
        case .mnistIDX, nil: .none
        }
    }

    /// The transform the training loader applies, crops first, then flips (one generator, so the same seed, epoch and
    /// batch give the same images); `nil` for none.
    func transform() throws -> (any ImageTransform)? {
        var transforms: [any ImageTransform] = []
        if cropPadding > 0 { transforms.append(try RandomCrop(padding: cropPadding)) }
        if horizontalFlip { transforms.append(try RandomHorizontalFlip()) }
        return transforms.isEmpty ? nil : TransformPipeline(transforms)
    }

    /// "random crops (padding 4) and horizontal flips", "none".
    var description: String {
        switch (cropPadding > 0, horizontalFlip) {
        case (false, false): "none"
        case (true, false): "random crops (padding \(cropPadding))"
        case (false, true): "horizontal flips"
        case (true, true): "random crops (padding \(cropPadding)) and horizontal flips"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case cropPadding, horizontalFlip
    }

    init(from decoder: Decoder) throws {
        if let legacy = try? decoder.singleValueContainer().decode(Bool.self) {
            self = legacy ? Augmentation(cropPadding: 2, horizontalFlip: false) : .none
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cropPadding = try container.decode(Int.self, forKey: .cropPadding)
        horizontalFlip = try container.decode(Bool.self, forKey: .horizontalFlip)
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cropPadding, forKey: .cropPadding)
        try container.encode(horizontalFlip, forKey: .horizontalFlip)
    }
}

/// How images are brought to the network's input before normalisation: `--image-size N` (square, N x N) and
/// `--channels C` (1 or 3), and where image folders keep their decoded cache (`--image-cache DIR`).
struct ImagePreparation: Codable, Equatable {
    /// The side images are resized to; `nil`: as stored. Image folders are decoded at this side by area averaging (32
    /// when not given), the other formats resized bilinearly after loading.
    var imageSize: Int?
    /// 3: grey repeated into red, green and blue; 1: colour averaged into grey; `nil`: as stored.
    var channels: Int?
    /// Where image folders cache their decoded images (absolute); `nil`: `DIR/.ilnas-cache`.
    var imageCache: String?

    static let asStored = ImagePreparation(imageSize: nil, channels: nil, imageCache: nil)
}
